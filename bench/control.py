"""Control accuracy of a class-conditional preset on a CPU time budget, with the per-class table.

    python -m bench.control [--preset fashion-cdcgan] [--minutes 10] [--n 10000] [--set KEY=VALUE ...]

Trains the preset for the budget (wall clock, this machine), then asks the EMA generator for
n samples, every class in turn, and scores them with `gankit eval`'s conditional metrics:
control accuracy (share judged by the shipped domain classifier to be the class asked for, with
its Wilson 95% interval) and intra-class FID (Miyato & Koyama 2018) against the held-out test
split, in the classifier's feature space. Prints a markdown table, one row per class, and writes
RUN/control.json and RUN/samples/final.png (one row per class).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch

import gankit
from gankit.evaluation import evaluate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion-cdcgan")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--n", type=int, default=10_000, help="generated samples, every class in turn")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    out = args.out or Path("bench/out") / f"control-{args.preset}"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(args.preset, out=out, overrides=[
        "train.steps=1000000", f"train.budget_minutes={args.minutes}", "log.progress=false", *args.overrides])
    wall = time.perf_counter() - t
    t = time.perf_counter()
    card = evaluate(run, n=args.n, metrics="control,intra_fid,fid")
    m = card["metrics"]
    control, intra = m["control"], m["intra_fid"]
    print(f"{args.preset} {' '.join(args.overrides)}: {run.step} steps in {wall / 60:.1f} min wall "
          f"(budget {args.minutes} min); eval {time.perf_counter() - t:.0f} s; torch threads {torch.get_num_threads()}")
    print(f"judge: {control['provenance'].get('judge_extractor')} [{control['provenance'].get('judge_weights_hash')}]; "
          f"reference {card['reference']}\n")
    print("| class | control accuracy | intra-class FID |\n|---|---|---|")
    for name, acc in control["extras"]["per_class"].items():
        print(f"| {name} | {100 * acc:.1f}% | {intra['extras']['per_class'][name]:.2f} |")
    lo, hi = control["ci"]
    print(f"| **all** | **{100 * control['value']:.1f}%** (95% CI {100 * lo:.1f}-{100 * hi:.1f}) | "
          f"**{intra['value']:.2f}** (mean over classes) |")
    print(f"\nFID (all classes together): {m['fid']['value']:.2f}; samples by class: {run.path / 'samples/final.png'}")
    (run.path / "control.json").write_text(json.dumps({"steps": run.step, "minutes": args.minutes, "wall_s": wall,
                                                       "card": card}, indent=2))


if __name__ == "__main__":
    main()
