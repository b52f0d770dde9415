"""Screenshots of every view of `gankit view` for the README and docs/view.md (`make view-screenshots`).

Trains what it needs into --root when it is missing (a ring8 run with many checkpoints for GAN Lab, a
text-to-image and a music run at test size), links the image runs of `make bench-detect` when they are
there (else trains small digits and CycleGAN runs), serves the folder with the real command and
photographs each panel in Debian's chromium at 1280×800.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from gankit.cli.main import main as gankit
from gankit.cli.view import any_free_port as free_port
from gankit.data.registry import load_dataset
from gankit.utils.images import save_image

FAST = ["--set", "log.progress=false", "--set", "log.tensorboard=false"]
TRAIN = {
    "ring8": ["ring8", "--set", "train.steps=3000", "--set", "log.checkpoint_every=200",
              "--set", "log.keep_checkpoints=20", "--set", "sample.mixture=0", "--set", "sample.reject=0"],
    "shapes-dfgan-tiny": ["shapes-dfgan-tiny"],
    "chorales-seqgan-tiny": ["chorales-seqgan-tiny"],
}
FALLBACK = {"fashion-cdcgan": ["digits-cdcgan"], "fashion-cyclegan": ["fashion-cyclegan-tiny"]}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def ensure_runs(root: Path, image_runs: Path) -> None:
    """Train or link every run the screenshots show."""
    root.mkdir(parents=True, exist_ok=True)
    for name, args in TRAIN.items():
        if not (root / name / "checkpoints").is_dir():
            assert gankit(["train", *args, *FAST, "--out", str(root / name)]) == 0
    for name, fallback in FALLBACK.items():
        if (root / name).exists():
            continue
        if (image_runs / name / "checkpoints").is_dir():
            (root / name).symlink_to((image_runs / name).resolve())
        else:
            assert gankit(["train", *fallback, *FAST, "--out", str(root / name)]) == 0


def show(page: Page, url: str, run: str, panel: str) -> None:
    """Open a run's panel and let it draw."""
    page.goto(f"{url}/#run={run}")
    page.wait_for_selector(f'button.tab[data-panel="{panel}"]')
    page.click(f'button.tab[data-panel="{panel}"]')
    page.wait_for_timeout(1500)


def shoot(page: Page, out: Path, name: str) -> None:
    """Write one screenshot and say so."""
    page.screenshot(path=str(out / f"view-{name}.png"))
    print(f"wrote {out / f'view-{name}.png'}")


def take(page: Page, url: str, out: Path, upload: Path, fake: Path) -> None:
    """Every view, one screenshot each: open the run's panel, use it as a person would, let it draw, shoot."""
    def explore() -> None:
        page.fill("#explore-seed", "7")
        page.dispatch_event("#explore-seed", "input")
        page.click("#interp-form button[type=submit]")

    def caption() -> None:
        page.fill("#caption", "a large red circle")
        page.click("#caption-form button[type=submit]")

    views: list[tuple[str, str, Callable[[], None], int]] = [
        ("fashion-cdcgan", "game", lambda: None, 0),
        ("ring8", "lab", lambda: page.wait_for_selector('#lab-canvas[data-drawn="1"]'), 0),
        ("fashion-cdcgan", "explore", explore, 3000),
        ("fashion-cyclegan", "translate", lambda: page.set_input_files("#translate-file", str(upload)), 2500),
        ("shapes-dfgan-tiny", "text2img", caption, 3000),
        ("chorales-seqgan-tiny", "music", lambda: page.click("#music-form button[type=submit]"), 6000),
        ("fashion-cdcgan", "detect", lambda: page.set_input_files("#detect-file", str(fake)), 2500),
    ]
    for run, panel, use, wait_ms in views:
        show(page, url, run, panel)
        use()
        page.wait_for_timeout(wait_ms)
        shoot(page, out, panel)


def inputs(scratch: Path, url: str) -> tuple[Path, Path]:
    """A real Fashion-MNIST sneaker to translate, and a generated image (with its provenance) to judge."""
    test = load_dataset("fashion-mnist", split="test", n=200)
    real = test.x[int((test.y == test.class_names.index("Sneaker")).nonzero()[0])][0].numpy()  # the CycleGAN's domain A
    upload = scratch / "real.png"
    save_image(real, upload)
    fake = scratch / "generated.png"
    with urllib.request.urlopen(f"{url}/api/explore/sample?run=fashion-cdcgan&seed=3&cls=Sneaker") as r:
        fake.write_bytes(r.read())
    return upload, fake


def main() -> None:
    """Train or link the runs, serve them, photograph every view."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--root", default="bench/out/view/runs")
    p.add_argument("--image-runs", default="bench/out/detect/runs", help="trained fashion-cdcgan/-cyclegan runs")
    p.add_argument("--detectors", default="bench/out/detect/detectors")
    p.add_argument("--out", default="docs/figures")
    args = p.parse_args()
    root, out = Path(args.root), Path(args.out)
    ensure_runs(root, Path(args.image_runs))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gankit", "view", str(root), "--port", str(port)]
    if Path(args.detectors).is_dir():
        command += ["--detectors", args.detectors]
    live = root / "ring8-live"  # trains while the pictures are taken: the list shows a run in progress
    shutil.rmtree(live, ignore_errors=True)
    trainer = subprocess.Popen([sys.executable, "-m", "gankit", "train", "ring8", *FAST, "--out", str(live)],
                               stdout=subprocess.DEVNULL)
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    scratch = Path(tempfile.mkdtemp())
    try:
        print(server.stdout.readline().strip())
        upload, fake = inputs(scratch, url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=FLAGS)
            take(browser.new_page(viewport={"width": 1280, "height": 800}), url, out, upload, fake)
            browser.close()
    finally:
        trainer.terminate()
        server.terminate()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
