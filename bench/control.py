"""Control accuracy of a class-conditional preset on a CPU time budget, with the per-class table.

    python -m bench.control [--preset fashion-cdcgan] [--minutes 10 | --steps N] [--n 10000] [--set KEY=VALUE ...]

Trains the preset for the budget (wall clock, this machine) or for exactly --steps steps (the same
figures on any host), then asks the EMA generator for
n samples, every class in turn, and scores them with `gankit eval`'s conditional metrics:
control accuracy (share judged by the shipped domain classifier to be the class asked for, with
its Wilson 95% interval) and intra-class FID (Miyato & Koyama 2018) against the held-out test
split, in the classifier's feature space. Beside each class's FID it prints the estimator's floor:
the intra-class FID of as many real training images of that class, which a perfect generator
would score, and beside each class's control the judge's own accuracy on that class's real test
images. Prints a markdown table, one row per class, and writes RUN/control.json and
RUN/samples/final.png (one row per class).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch

import gankit
from gankit.evaluation import EvalSetup, control_judge, evaluate, judged_classes, setup_for
from gankit.metrics import extract_features
from gankit.metrics.control import intra_class_fid
from gankit.run import Run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion-cdcgan")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--steps", type=int, default=None, help="train exactly this many steps instead of a time budget")
    ap.add_argument("--n", type=int, default=10_000, help="generated samples, every class in turn")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    out = args.out or Path("bench/out") / f"control-{args.preset}"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    length = [f"train.steps={args.steps}"] if args.steps else ["train.steps=1000000",
                                                                f"train.budget_minutes={args.minutes}"]
    run = gankit.train(args.preset, out=out, overrides=[*length, "log.progress=false", *args.overrides])
    wall = time.perf_counter() - t
    t = time.perf_counter()
    setup = setup_for(run, None)
    card = evaluate(run, n=args.n, metrics="control,intra_fid,fid", setup=setup)
    m = card["metrics"]
    control, intra = m["control"], m["intra_fid"]
    budget = "no budget" if args.steps else f"budget {args.minutes} min"
    print(f"{args.preset} {' '.join(args.overrides)}: {run.step} steps in {wall / 60:.1f} min wall ({budget}); "
          f"eval {time.perf_counter() - t:.0f} s; torch threads {torch.get_num_threads()}")
    print(f"judge: {control['provenance'].get('judge_extractor')} [{control['provenance'].get('judge_weights_hash')}]; "
          f"reference {card['reference']}\n")
    floor, judged = real_floor(run, setup, args.n), judge_on_real(run, setup, args.n)
    print("| class | control accuracy | the judge on real test images | intra-class FID | real training images (floor) |"
          "\n|---|---|---|---|---|")
    for name, acc in control["extras"]["per_class"].items():
        print(f"| {name} | {100 * acc:.1f}% | {100 * judged[name]:.1f}% | {intra['extras']['per_class'][name]:.2f} | "
              f"{floor[name]:.2f} |")
    lo, hi = control["ci"]
    fids = intra["extras"]["per_class"].values()
    print(f"| **all** | **{100 * control['value']:.1f}%** (95% CI {100 * lo:.1f}-{100 * hi:.1f}) | "
          f"{100 * sum(judged.values()) / len(judged):.1f}% | "
          f"**{intra['value']:.2f}** (mean; worst/best {max(fids) / min(fids):.1f}×) | "
          f"{sum(floor.values()) / len(floor):.2f} (worst/best {max(floor.values()) / min(floor.values()):.1f}×) |")
    print(f"\nFID (all classes together): {m['fid']['value']:.2f}; samples by class: {run.path / 'samples/final.png'}")
    (run.path / "control.json").write_text(json.dumps({"steps": run.step, "minutes": args.minutes, "wall_s": wall,
                                                       "card": card, "floor": floor}, indent=2))


def real_floor(run: Run, setup: EvalSetup, n: int) -> dict[str, float]:
    """Intra-class FID of n real training images, n/K per class, against evaluate's reference: a perfect G's score."""
    _, f_real = setup.real_features(n, 1)  # the reference evaluate(seed=0) scored, from its cache
    train = run.dataset()
    g = torch.Generator().manual_seed(0)
    per_class = n // len(run.class_names)
    idx = torch.cat([torch.nonzero(train.y == c).flatten()[torch.randperm(int((train.y == c).sum()), generator=g)]
                     [:per_class] for c in range(len(run.class_names))])
    result = intra_class_fid(f_real, setup.real_labels_of(n, 1), extract_features(setup.extractor, train.x[idx]),
                             train.y[idx], run.class_names)
    return result.extras["per_class"]


def judge_on_real(run: Run, setup: EvalSetup, n: int) -> dict[str, float]:
    """The judge's accuracy per class on evaluate's real reference images: the control a perfect G would score."""
    real, labels = setup.real_features(n, 1)[0], setup.real_labels_of(n, 1)
    pred = judged_classes(control_judge(setup.extractor, run.data_name), real)
    return {name: float((pred[labels == c] == c).float().mean()) for c, name in enumerate(run.class_names)}


if __name__ == "__main__":
    main()
