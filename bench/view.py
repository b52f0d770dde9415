"""How fast does `gankit view` answer? Every request the page makes, timed end to end from a client.

    python -m bench.view [--n 30]          (make bench-view; about 2 minutes on 2 cores)

It trains each network at its preset's full size for a few steps (the cost of an answer depends on
the architecture, not on how trained it is): fashion-dcgan, fashion-cdcgan and fashion-stylegan2
(digits when Fashion-MNIST is not installed) and ring8 with a checkpoint per step. It serves them
with the real command in its own process and times `--n` requests of each kind over loopback with
urllib, after one cold request (the first loads the networks). It prints a markdown table of the
cold time, the median and the 95th percentile, in milliseconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from gankit.cli.main import main as gankit
from gankit.cli.view import any_free_port as free_port
from gankit.data.fashion_mnist import find_fashion_mnist
from gankit.errors import DataError

OUT = Path("bench/out/view/bench")
FAST = ["--set", "log.progress=false", "--set", "log.tensorboard=false", "--set", "log.report=none"]


def fashion_available() -> bool:
    """Whether Fashion-MNIST is installed here."""
    try:
        find_fashion_mnist()
    except DataError:
        return False
    return True


def runs(root: Path) -> None:
    """Each network at its preset's size, a few steps in."""
    fashion = fashion_available()
    presets = {"dcgan": "fashion-dcgan" if fashion else "digits-dcgan",
               "cdcgan": "fashion-cdcgan" if fashion else "digits-cdcgan",
               "stylegan2": "fashion-stylegan2" if fashion else "digits-dcgan"}
    for name, preset in presets.items():
        if not (root / name / "checkpoints").is_dir():
            assert gankit(["train", preset, *FAST, "--set", "train.steps=2", "--out", str(root / name)]) == 0
    if not (root / "ring8" / "checkpoints").is_dir():
        assert gankit(["train", "ring8", *FAST, "--set", "train.steps=4", "--set", "log.checkpoint_every=1",
                       "--set", "log.keep_checkpoints=10", "--set", "sample.mixture=0",
                       "--out", str(root / "ring8")]) == 0


def requests(fashion: bool) -> list[tuple[str, str]]:
    """(what, path with {i} for the request's index) for every kind of request."""
    cls = "Sneaker" if fashion else "7"
    return [
        ("run list", "/api/runs"),
        ("live game (all rows)", "/api/live?run=dcgan&since=0"),
        ("live game (nothing new)", "/api/live?run=dcgan&since=1"),
        ("DCGAN sample by seed", "/api/explore/sample?run=dcgan&seed={i}"),
        ("cDCGAN sample by seed, class, ψ 0.7", f"/api/explore/sample?run=cdcgan&seed={{i}}&cls={cls}&psi=0.7"),
        ("DCGAN walk, 9 steps", "/api/explore/interpolate?run=dcgan&a={i}&b=1000&steps=9"),
        ("StyleGAN2 sample by seed", "/api/explore/sample?run=stylegan2&seed={i}"),
        ("StyleGAN2 mixing 3×3", "/api/explore/mix?run=stylegan2&rows={i},1,2&cols=3,4,5"),
        ("GAN Lab step (64×64 surface)", "/api/lab?run=ring8&step={step}"),
    ]


def timed(url: str) -> float:
    """Seconds for one request, body read."""
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
    return time.perf_counter() - t


def main() -> None:
    """Train, serve, time, print."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=30)
    args = p.parse_args()
    runs(OUT)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gankit", "view", str(OUT), "--port", str(port)],
                              stdout=subprocess.PIPE, text=True)
    try:
        server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        print("| request | cold ms | median ms | p95 ms |\n|---|---|---|---|")
        for what, path in requests(fashion_available()):
            urls = [base + path.format(i=i, step=1 + i % 4) for i in range(args.n + 1)]
            cold = timed(urls[0])
            times = np.array([timed(u) for u in urls[1:]]) * 1000
            print(f"| {what} | {cold * 1000:.0f} | {np.median(times):.0f} | {np.percentile(times, 95):.0f} |")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
