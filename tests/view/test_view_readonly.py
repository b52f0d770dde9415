"""The viewer never writes into a run folder, and watching a run train does not change what training writes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from served import RING, free_port

from gankit.cli.main import main
from gankit.utils import run_dir

pytestmark = pytest.mark.loopback
# what legitimately differs between two trainings of the same seed: wall-clock time, the date, the folder's path
CLOCK = {"metrics.csv", "report.md", "MODEL_CARD.md"}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _without_clock(name: str, data: bytes, folder: Path) -> str:
    """A file's text with its wall-clock parts taken out (metrics' time column, the report's time, the card's date)."""
    text = data.decode().replace(str(folder), "RUN")
    if name.endswith("metrics.csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        return "\n".join(",".join(f"{k}={v}" for k, v in r.items() if k != "time") for r in rows)
    return "\n".join(line for line in text.splitlines() if "in the last session" not in line and "Written by" not in line)


def _same(a: Path, b: Path) -> None:
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    for name in fa:
        if Path(name).name in CLOCK:
            assert _without_clock(name, fa[name], a) == _without_clock(name, fb[name], b), name
        else:
            assert fa[name] == fb[name], f"{name} differs with a viewer attached"


def _poll(url: str, stop: threading.Event, seen: list[int]) -> None:
    """Ask the viewer everything the page asks, as fast as it answers, until stopped."""
    paths = ["/api/runs", "/api/run?run=ring8", "/api/live?run=ring8&since=0", "/api/lab/steps?run=ring8",
             "/api/lab?run=ring8"]
    while not stop.is_set():
        for path in paths:
            try:
                with urllib.request.urlopen(url + path, timeout=30) as r:
                    r.read()
                    seen.append(r.status)
            except OSError:  # 400 before the first checkpoint, or the run folder not made yet
                seen.append(0)


def _train(out: Path, monkeypatch) -> None:
    monkeypatch.setattr(run_dir.secrets, "token_hex", lambda n: "0123456789abcdef")  # one run id for both
    assert main([*RING, "--out", str(out)]) == 0


def test_outputs_are_byte_identical_with_and_without_a_viewer(tmp_path, monkeypatch):
    _train(tmp_path / "alone" / "ring8", monkeypatch)
    watched = tmp_path / "watched"
    watched.mkdir()
    port = free_port()
    viewer = subprocess.Popen([sys.executable, "-m", "gankit", "view", str(watched), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop, seen = threading.Event(), []
    try:
        assert "http://127.0.0.1" in viewer.stdout.readline()
        poller = threading.Thread(target=_poll, args=(f"http://127.0.0.1:{port}", stop, seen), daemon=True)
        poller.start()
        _train(watched / "ring8", monkeypatch)
        stop.set()
        poller.join(30)
        before = _files(watched)
        _poll_once_more(port)
        assert _files(watched) == before  # a finished run is not touched either
    finally:
        stop.set()
        viewer.terminate()
        viewer.wait(10)
    assert seen.count(200) > 20  # the viewer did answer while the run trained
    _same(tmp_path / "alone" / "ring8", watched / "ring8")


def _poll_once_more(port: int) -> None:
    for path in ["/api/lab?run=ring8&step=100", "/api/live?run=ring8&since=3", "/api/runs",
                 "/api/file?run=ring8&path=samples/step_0000400.png"]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            assert r.status == 200, path
