"""The generators the deepfake-detection benchmark detects: trained once, their samples kept as .npy.

    python -m bench.detect_generators [--out bench/out/detect] [--n 10000] [--minutes 4]

Five sources of Fashion-MNIST fakes, each a different way of generating:
- fashion-dcgan (6000 steps, the preset), two sample sets of n each (seed 1: training, seed 2: held out);
- fashion-cdcgan (the preset at 6000 steps, half its length, as measured), every class in turn;
- fashion-stylegan2 (the preset for --minutes of wall time: slow on a CPU, so far from converged);
- fashion-cyclegan (the preset for --minutes of wall time): Sneaker -> Ankle boot translations of
  training sneakers;
- a DCGAN trained outside gankit by the plain loop of bench/plain_dcgan.py (6000 steps).

Each lands in OUT/fakes/NAME.npy (uint8 N×28×28; fashion-stylegan2's N×32×32, padded data); the runs
stay in OUT/runs/NAME. A source whose .npy exists is skipped: delete it to make it again.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import gankit
from bench.fashion_budget import train_plain
from gankit.run import load_run
from gankit.translator import Translator
from gankit.utils.images import from_uint8, to_uint8

QUIET = ["log.progress=false", "log.report=none"]


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)
    print(f"{path}: {array.shape}", flush=True)


def _translations(run_dir: Path, n: int) -> np.ndarray:
    """Sneaker -> Ankle boot translations of n training sneakers."""
    run = load_run(run_dir)
    data = run.dataset()
    sneakers = data.x[data.y == 0][:n]  # domain A (Sneaker) is label 0
    return to_uint8(Translator(run).translate(from_uint8(sneakers), "AtoB"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/detect"))
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--minutes", type=float, default=4.0)
    args = ap.parse_args()
    runs, fakes = args.out / "runs", args.out / "fakes"
    t0 = time.perf_counter()
    if not (fakes / "fashion-dcgan-heldout.npy").exists():
        run = gankit.train("fashion-dcgan", out=runs / "fashion-dcgan", overrides=QUIET)
        _save(fakes / "fashion-dcgan.npy", run.sample_array(args.n, seed=1))
        _save(fakes / "fashion-dcgan-heldout.npy", run.sample_array(args.n, seed=2))
    budget = [f"train.budget_minutes={args.minutes}", *QUIET]
    for preset, overrides in (("fashion-cdcgan", ["train.steps=6000", *QUIET]), ("fashion-stylegan2", budget)):
        if not (fakes / f"{preset}.npy").exists():
            run = gankit.train(preset, out=runs / preset, overrides=overrides)
            _save(fakes / f"{preset}.npy", run.sample_array(args.n, seed=1))
    if not (fakes / "fashion-cyclegan.npy").exists():
        gankit.train("fashion-cyclegan", out=runs / "fashion-cyclegan", overrides=budget)
        _save(fakes / "fashion-cyclegan.npy", _translations(runs / "fashion-cyclegan", 6000))
    if not (fakes / "plain-dcgan.npy").exists():
        cfg = load_run(runs / "fashion-dcgan").config
        train_plain(cfg, None, runs / "plain-dcgan", steps=6000)
        _save(fakes / "plain-dcgan.npy", load_run(runs / "plain-dcgan").sample_array(args.n, seed=1))
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
