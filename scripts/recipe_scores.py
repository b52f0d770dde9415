"""One recipe of a preset, scored: its EMA generator and its raw generator, side by side.

    python scripts/recipe_scores.py OUT [--preset fashion-dcgan] [--steps 6000] [--n 10000] [--set KEY=VALUE ...]

Trains the preset with the overrides for --steps steps into OUT, then scores the EMA generator (what
`gankit sample` uses) and the raw generator of the same checkpoint with gankit's evaluation: n samples
against the Fashion-MNIST test split in the shipped domain classifier's features (FID, KID,
precision, recall, C2ST). Prints one JSON line with the wall time of training. The rows of
docs/benchmarks.md's recipe table for fashion-dcgan come from it; the plain loop's rows from
`python -m bench.versus_plain`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import gankit
from gankit.evaluation import evaluate, setup_for
from gankit.run import load_run

KEYS = ("fid", "kid", "precision", "recall", "c2st")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--preset", default="fashion-dcgan")
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    t0 = time.perf_counter()
    run = gankit.train(args.preset, out=args.out, overrides=[
        f"train.steps={args.steps}", "log.progress=false", "log.report=none", *args.overrides])
    result: dict = {"overrides": args.overrides, "wall_s": round(time.perf_counter() - t0, 1)}
    setup = setup_for(run, None)
    for ema in (True, False):
        card = evaluate(load_run(args.out, ema=ema), n=args.n, setup=setup, metrics="fid,kid,pr,c2st")
        result["ema" if ema else "raw"] = {k: round(card["metrics"][k]["value"], 4) for k in KEYS}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
