"""`gankit view` end to end in a real browser: Playwright drives Debian's chromium against the real command.

`make test` installs chromium with apt (the Makefile's `browser` target) and Playwright with pip; the
test is skipped, saying why, only where chromium could not be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from served import free_port

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
CHROMIUM = os.environ.get("GANKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no chromium at {CHROMIUM}: `make browser` installs it (apt-get install chromium)",
                allow_module_level=True)

pytestmark = pytest.mark.loopback
# no downloads, updates or sync: the machine has no network, and the page must need none
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
REFRESH_S = 2.0  # the page must show a newly logged window within this


@pytest.fixture(scope="module")
def viewer(view_root, tmp_path_factory):
    """`gankit view` (the real command, in its own process) over a copy of the runs; yields (url, root)."""
    root = tmp_path_factory.mktemp("browser") / "runs"
    shutil.copytree(view_root, root)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gankit", "view", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line, line
        yield f"http://127.0.0.1:{port}", root
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def page(viewer):
    """A chromium page that fails the test on any request leaving this machine."""
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        pg.on("request", lambda r: None if _local(r.url) else outside.append(r.url))
        yield pg
        browser.close()
    assert outside == [], f"the page asked for something outside this machine: {outside[:3]}"


def _local(url: str) -> bool:
    """Whether a request stays on this machine: a data or blob URL, or exactly the loopback address."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or (parts.scheme == "http" and parts.hostname == "127.0.0.1")


def _pixels(page, selector: str) -> bytes:
    """What the element shows, as PNG bytes of a screenshot of it."""
    return page.locator(selector).screenshot()


def _wait_image(page, key_part: str) -> None:
    page.wait_for_function(
        f"() => {{ const i = document.querySelector('#explore-image'); "
        f"return i && i.complete && i.naturalWidth > 0 && (i.dataset.key || '').includes({key_part!r}); }}",
        timeout=10_000)


def test_seed_and_class_controls_change_the_image(viewer, page):
    url, _ = viewer
    page.goto(f"{url}/#run=digits")
    page.click('button.tab[data-panel="explore"]')
    page.fill("#explore-seed", "3")
    page.dispatch_event("#explore-seed", "input")
    _wait_image(page, "seed=3")
    first = _pixels(page, "#explore-image")
    page.fill("#explore-seed", "4")
    page.dispatch_event("#explore-seed", "input")
    _wait_image(page, "seed=4")
    assert _pixels(page, "#explore-image") != first
    before = _pixels(page, "#explore-image")
    names = page.eval_on_selector_all("#explore-class option", "os => os.map(o => o.value)")
    page.select_option("#explore-class", names[5])
    _wait_image(page, f"cls={names[5]}")  # digits' class names are "0".."9": nothing to escape
    assert _pixels(page, "#explore-image") != before
    assert page.get_attribute("#explore-download", "href").endswith("download=1")


def test_class_control_is_absent_on_an_unconditional_run(viewer, page):
    url, _ = viewer
    page.goto(f"{url}/#run=plain")
    page.click('button.tab[data-panel="explore"]')
    page.wait_for_selector("#explore-seed")
    assert page.locator("#explore-class").count() == 0 and page.locator("#arith-expr").count() == 0


def test_gan_lab_draws_the_heat_map(viewer, page):
    url, _ = viewer
    page.goto(f"{url}/#run=ring8")
    page.click('button.tab[data-panel="lab"]')
    page.wait_for_selector('#lab-canvas[data-drawn="1"]', timeout=15_000)
    colours = page.evaluate("""() => {
        const c = document.querySelector('#lab-canvas'), ctx = c.getContext('2d');
        const seen = new Set();
        for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) {
            const d = ctx.getImageData(Math.floor(c.width * (i + 0.5) / 40), Math.floor(c.height * (j + 0.5) / 40), 1, 1).data;
            seen.add((d[0] >> 4) + ',' + (d[1] >> 4) + ',' + (d[2] >> 4));
        }
        return seen.size; }""")
    assert colours > 20  # a surface of many shades, not a blank or one-colour canvas
    steps = page.get_attribute("#lab-slider", "max")
    page.fill("#lab-slider", "0")
    page.dispatch_event("#lab-slider", "input")
    page.wait_for_selector('#lab-canvas[data-step="100"]', timeout=15_000)
    assert int(steps) == 3


def test_the_live_chart_shows_a_new_window_within_the_refresh(viewer, page):
    url, root = viewer
    page.goto(f"{url}/#run=ring8")
    page.click('button.tab[data-panel="game"]')
    page.wait_for_selector('#chart-d[data-last-step="400"]', timeout=10_000)
    metrics = root / "ring8" / "metrics.csv"
    header = metrics.read_text().splitlines()[0].split(",")
    with metrics.open("a") as f:
        f.write(",".join("420" if c == "step" else "0.5" for c in header) + "\n")
    start = time.monotonic()
    page.wait_for_selector('#chart-d[data-last-step="420"]', timeout=REFRESH_S * 1000)
    assert time.monotonic() - start <= REFRESH_S
    assert page.get_attribute("#chart-acc", "data-points") == "21"


def test_screenshot(viewer, page, tmp_path):
    url, _ = viewer
    page.goto(f"{url}/#run=digits")
    page.click('button.tab[data-panel="game"]')
    page.wait_for_selector("#chart-loss[data-points]")
    out = tmp_path / "view.png"
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 20_000
