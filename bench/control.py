"""Control accuracy of a class-conditional preset on a CPU time budget, with the per-class table.

    python -m bench.control [--preset fashion-cdcgan] [--minutes 10 | --steps N] [--n 10000] [--set KEY=VALUE ...]
    python -m bench.control --run RUN          (score a trained run again, without training)

Trains the preset for the budget (wall clock, this machine) or for exactly --steps steps (the same
figures on any host), then asks the EMA generator for
n samples, every class in turn, and scores them with `gankit eval`'s conditional metrics:
control accuracy (share judged by the shipped domain classifier to be the class asked for, with
its Wilson 95% interval) and intra-class FID (Miyato & Koyama 2018) against the held-out test
split, in the classifier's feature space. Beside each class's FID it prints two floors:
- the intra-class FID of as many real training images of that class, which a perfect generator
  would score;
- the same with the images subsampled by the judge's verdict, so that it puts at least 90% of each
  class in its class (issue 17's control bar): a reference point for a generator that draws real
  images and just meets the bar.
Beside each class's control it prints the judge's own accuracy on that class's real test images.
Prints a markdown table, one row per class, each floor's worst/best ratio over --draws draws of the
real images, and writes RUN/control.json.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from pathlib import Path

import torch

import gankit
from gankit.data.base import ArrayDataset
from gankit.evaluation import EvalSetup, control_judge, evaluate, judged_classes, setup_for
from gankit.metrics import extract_features
from gankit.metrics.control import intra_class_fid
from gankit.run import Run

CONTROL_BAR = 0.9  # issue 17: every class controlled at ≥ 90%
Training = tuple[ArrayDataset, torch.Tensor]  # the training images and the judge's class for each
FLOORS = {"as they come": None, f"each class judged its own at ≥ {CONTROL_BAR:.0%}": CONTROL_BAR}  # name -> bar


def main() -> None:
    """Train (or read) a run, score it and print the per-class table with the floors."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion-cdcgan")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--steps", type=int, default=None, help="train exactly this many steps instead of a time budget")
    ap.add_argument("--run", type=Path, default=None, help="score this trained run instead of training one")
    ap.add_argument("--n", type=int, default=10_000, help="generated samples, every class in turn")
    ap.add_argument("--draws", type=int, default=5, help="draws of real images for the floors (the table shows the first)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    if args.draws < 1:
        ap.error("--draws must be at least 1 (the table shows the first draw)")
    if args.run is not None and (args.steps or args.overrides or args.out):
        ap.error("--run scores a trained run as it is: --steps, --set and --out apply only to a run trained here")
    run, wall = trained(args) if args.run is None else (Run(args.run), None)
    t = time.perf_counter()
    setup = setup_for(run, None)
    card = evaluate(run, n=args.n, metrics="control,intra_fid,fid", setup=setup)
    trained_for = f"{wall / 60:.1f} min wall" if wall is not None else f"read from {run.path}"
    print(f"{run.path.name} {' '.join(args.overrides)}: {run.step} steps, {trained_for}; "
          f"eval {time.perf_counter() - t:.0f} s; torch threads {torch.get_num_threads()}")
    training = judge_on_training(run, setup)
    draws = {name: [real_floor(run, setup, args.n, training, seed=s, control_bar=bar) for s in range(args.draws)]
             for name, bar in FLOORS.items()}
    floors = {name: fids[0] for name, fids in draws.items()}
    print_table(run, setup, card, args.n, floors)
    ratios = {name: [ratio(fids) for fids in per_draw] for name, per_draw in draws.items()}
    for name, values in ratios.items():
        print(f"real training images, {name}, {args.draws} draws (the first is the table's): worst/best "
              f"{min(values):.1f}-{max(values):.1f}×")
    budget = None if wall is None or args.steps else args.minutes
    (run.path / "control.json").write_text(json.dumps({"steps": run.step, "minutes": budget, "wall_s": wall,
                                                       "card": card, "floors": floors, "floor_ratios": ratios}, indent=2))


def trained(args: argparse.Namespace) -> tuple[Run, float]:
    """Train the preset for the budget into a fresh folder; the run and its wall seconds."""
    out = args.out or Path("bench/out") / f"control-{args.preset}"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    length = [f"train.steps={args.steps}"] if args.steps else ["train.steps=1000000",
                                                                f"train.budget_minutes={args.minutes}"]
    run = gankit.train(args.preset, out=out, overrides=[*length, "log.progress=false", *args.overrides])
    return run, time.perf_counter() - t


def print_table(run: Run, setup: EvalSetup, card: dict, n: int, floors: dict[str, dict[str, float]]) -> None:
    """The per-class markdown table, with both floors (real training images' intra-class FID per class)."""
    m = card["metrics"]
    control, intra = m["control"], m["intra_fid"]
    print(f"judge: {control['provenance'].get('judge_extractor')} [{control['provenance'].get('judge_weights_hash')}]; "
          f"reference {card['reference']}\n")
    floor, at_bar = floors.values()
    judged = judge_on_real(run, setup, n)
    print("| class | control accuracy | the judge on real test images | intra-class FID | real training images (floor) "
          f"| real training images judged their class ≥ {CONTROL_BAR:.0%} |\n|---|---|---|---|---|---|")
    for name, acc in control["extras"]["per_class"].items():
        print(f"| {name} | {100 * acc:.1f}% | {100 * judged[name]:.1f}% | {intra['extras']['per_class'][name]:.2f} | "
              f"{floor[name]:.2f} | {at_bar[name]:.2f} |")
    lo, hi = control["ci"]
    print(f"| **all** | **{100 * control['value']:.1f}%** (95% CI {100 * lo:.1f}-{100 * hi:.1f}) | "
          f"{100 * sum(judged.values()) / len(judged):.1f}% | "
          f"**{intra['value']:.2f}** (mean; worst/best {ratio(intra['extras']['per_class']):.1f}×) | "
          f"{sum(floor.values()) / len(floor):.2f} (worst/best {ratio(floor):.1f}×) | "
          f"{sum(at_bar.values()) / len(at_bar):.2f} (worst/best {ratio(at_bar):.1f}×) |")
    print(f"\nFID (all classes together): {m['fid']['value']:.2f}; samples by class: {run.path / 'samples/final.png'}")


def judge_on_training(run: Run, setup: EvalSetup) -> Training:
    """The run's training images with the class the judge gives each."""
    train = run.dataset()
    return train, judged_classes(control_judge(setup.extractor, run.data_name), train.x)


def real_floor(run: Run, setup: EvalSetup, n: int, training: Training, seed: int = 0,
               control_bar: float | None = None) -> dict[str, float]:
    """Intra-class FID of n real training images, n/K per class, against evaluate's reference: a perfect G's score.

    With `control_bar`, each class's images are drawn so that the judge puts at least that share of them in
    their class and the rest elsewhere: a reference point for a G that just meets the bar (real images,
    subsampled by the judge's verdict).
    """
    _, f_real = setup.real_features(n, 1)  # the reference evaluate(seed=0) scored, from its cache
    train, judged = training
    g = torch.Generator().manual_seed(seed)
    per_class = n // len(run.class_names)
    idx = []
    for c in range(len(run.class_names)):
        mine = train.y == c
        if control_bar is None:
            groups = [(torch.nonzero(mine).flatten(), per_class)]
        else:
            right, wrong = torch.nonzero(mine & (judged == c)).flatten(), torch.nonzero(mine & (judged != c)).flatten()
            kept = math.ceil(round(max(control_bar, len(right) / int(mine.sum())) * per_class, 6))
            groups = [(right, kept), (wrong, per_class - kept)]
        for pool, size in groups:
            assert len(pool) >= size, f"class {run.class_names[c]}: {len(pool)} images, {size} asked for; lower --n"
            idx.append(pool[torch.randperm(len(pool), generator=g)[:size]])
    idx = torch.cat(idx)
    result = intra_class_fid(f_real, setup.real_labels_of(n, 1), extract_features(setup.extractor, train.x[idx]),
                             train.y[idx], run.class_names)
    return result.extras["per_class"]


def ratio(fids: dict[str, float]) -> float:
    """Worst class's intra-class FID over the best class's."""
    return max(fids.values()) / min(fids.values())


def judge_on_real(run: Run, setup: EvalSetup, n: int) -> dict[str, float]:
    """The judge's accuracy per class on evaluate's real reference images: the control a perfect G would score."""
    real, labels = setup.real_features(n, 1)[0], setup.real_labels_of(n, 1)
    pred = judged_classes(control_judge(setup.extractor, run.data_name), real)
    return {name: float((pred[labels == c] == c).float().mean()) for c, name in enumerate(run.class_names)}


if __name__ == "__main__":
    main()
