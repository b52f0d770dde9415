"""EMA against raw G on digits, the recipe of tests/learning/test_ema_quality.py, over seeds and ramp-ups.

    python scripts/ema_seeds.py [--steps 800] [--seeds 0 1 2] [--rampups 0.05 0]

Prints the FID (shipped digits classifier's features, 1000 samples) of the EMA and the raw
generator of each run: the figures of docs/benchmarks.md's EMA row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import gankit
from gankit.evaluation import evaluate, setup_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "learning"))
from test_ema_quality import SHORT  # the test's recipe, not a copy of it


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--rampups", type=float, nargs="+", default=[0.05, 0.0])
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ema-seeds-"))
    print("| seed | ema_rampup | FID EMA | FID raw |\n|---|---|---|---|")
    for seed in args.seeds:
        for ramp in args.rampups:
            run = gankit.train("digits-dcgan-tiny", out=root / f"s{seed}-r{ramp}", overrides={
                **SHORT, "seed": seed, "train.steps": args.steps, "train.ema_rampup": ramp})
            setup = setup_for(run, None)
            fid = [evaluate(gankit.load_run(run.path, ema=e), n=1000, metrics="fid", setup=setup)["metrics"]["fid"]["value"]
                   for e in (True, False)]
            print(f"| {seed} | {ramp} | {fid[0]:.1f} | {fid[1]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
