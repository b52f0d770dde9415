"""fashion-dcgan on a CPU time budget: a grid per predicted class, to see that every class is there.

    python -m bench.fashion_budget [--minutes 10] [--out bench/out/fashion-budget]

Trains the fashion-dcgan preset for the budget (wall clock, this machine), then draws 2000
samples from the EMA generator and sorts them with gankit's shipped Fashion-MNIST domain
classifier (its recorded test accuracy is printed). It writes a 10-row figure, one row per class
with the 8 samples the classifier is surest of, and the class histogram of all samples.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch

import gankit
from bench.plain_dcgan import plain_config, plain_step
from gankit.build import load_data
from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.evaluation import evaluate, setup_for
from gankit.games.adversarial import build_networks
from gankit.metrics.features import load_domain_classifier
from gankit.run import load_run
from gankit.training.checkpoint import save_checkpoint
from gankit.utils.atomic import write_json_atomic
from gankit.utils.images import make_grid, save_image, to_uint8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--out", type=Path, default=Path("bench/out/fashion-budget"))
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--compare-plain", action="store_true",
                    help="also train bench/plain_dcgan.py's loop for the same time and score both with gankit eval")
    ap.add_argument("--eval-n", type=int, default=10_000)
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train("fashion-dcgan", out=args.out, overrides=[
        "train.steps=1000000", f"train.budget_minutes={args.minutes}", "log.progress=false", *args.overrides])
    wall = time.perf_counter() - t
    steps = json.loads((run.path / "checkpoints/latest.json").read_text())["step"]
    clf = load_domain_classifier("fashion-mnist")
    acc = clf.info["test_accuracy"]
    x = run.sample(2000, seed=0)
    with torch.no_grad():
        probs = torch.softmax(clf.logits(x), 1).numpy()
    pred, conf = probs.argmax(1), probs.max(1)
    hist = np.bincount(pred, minlength=10) / len(pred)
    rows = []
    for c in range(10):
        idx = np.where(pred == c)[0]
        idx = idx[np.argsort(-conf[idx])][:8]
        tiles = to_uint8(x[idx]) if len(idx) else np.zeros((0, 28, 28), np.uint8)
        if len(tiles) < 8:
            tiles = np.concatenate([tiles, np.full((8 - len(tiles), 28, 28), 255, np.uint8)])
        rows.append(tiles)
    grid = make_grid(np.concatenate(rows), nrow=8)
    save_image(grid, run.path / "samples-by-class.png")
    print(f"fashion-dcgan: {steps} steps in {wall / 60:.1f} min wall (budget {args.minutes} min, report included)")
    print(f"judge: gankit's Fashion-MNIST domain classifier, test accuracy {100 * acc:.1f}%")
    print("| class | share of 2000 samples |\n|---|---|")
    for c in range(10):
        print(f"| {CLASS_NAMES[c]} | {100 * hist[c]:.1f}% |")
    print(f"figure: {run.path / 'samples-by-class.png'} (rows in class order, 8 most confident each)")
    (run.path / "bench.json").write_text(json.dumps({"steps": steps, "minutes": args.minutes, "judge_acc": acc,
                                                     "class_share": hist.tolist()}, indent=2))
    if args.compare_plain:
        compare_with_plain(run, args.minutes, args.out.parent / "fashion-plain", args.eval_n)


def train_plain(cfg, minutes: float | None, out: Path, steps: int | None = None,
                mark_s: float | None = None, mark_out: Path | None = None) -> tuple[int, int | None, float]:
    """The hand-written loop of bench/plain_dcgan.py (fp32, no EMA, its own recipe) for `minutes` or `steps`, as a run.

    With `mark_s`, the weights reached after that many seconds are also saved to `mark_out` (equal wall
    time with another run): the loop runs past `steps` when it needs to, so the mark is always at
    that time. Returns (steps saved to `out`, steps at the mark or None, seconds to the steps saved to `out`).
    """
    cfg = plain_config(cfg)  # the tutorial's networks and optimiser, not the preset's additions
    torch.manual_seed(cfg.seed)
    data = load_data(cfg)
    G, D = build_networks(cfg, data.sample_shape).values()
    opt_g = torch.optim.Adam(G.parameters(), cfg.train.lr_g, betas=(cfg.train.beta1, cfg.train.beta2))
    opt_d = torch.optim.Adam(D.parameters(), cfg.train.lr_d, betas=(cfg.train.beta1, cfg.train.beta2))
    b, done, marked, t0, seconds = cfg.train.batch_size, 0, None, time.perf_counter(), 0.0

    def running() -> bool:
        if steps is None:
            return time.perf_counter() - t0 < minutes * 60
        return done < steps or (mark_s is not None and marked is None)

    while running():
        idx = torch.randint(0, len(data), (b,))
        plain_step(G, D, opt_g, opt_d, data.to_model_space(data.x[idx]), cfg.model.z_dim)
        done += 1
        if done == steps:
            seconds = time.perf_counter() - t0
            _save_plain(cfg, data, G, done, out)
        if mark_s is not None and marked is None and time.perf_counter() - t0 >= mark_s:
            marked = done
            _save_plain(cfg, data, G, done, mark_out)
    if steps is None:
        seconds = time.perf_counter() - t0
        _save_plain(cfg, data, G, done, out)
    return (steps if steps is not None else done), marked, seconds


def _save_plain(cfg, data, G, steps: int, out: Path) -> None:
    """A run folder holding the plain loop's G, so gankit's evaluation can score it like any run."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    write_json_atomic(out / "data.json", data.info())
    save_checkpoint(out / "checkpoints", steps, {"G": G.state_dict()}, {"step": steps})


def compare_with_plain(run, minutes: float, plain_out: Path, n: int) -> None:
    """Train the plain loop for the same wall time, then score both runs with the same evaluation."""
    steps, _, _ = train_plain(run.config, minutes, plain_out)
    setup = setup_for(run, None)
    cards = {"gankit fashion-dcgan": evaluate(run, n=n, setup=setup),
             f"plain loop ({steps} steps)": evaluate(load_run(plain_out), n=n, setup=setup)}
    keys = ["fid", "kid", "precision", "recall", "density", "coverage", "c2st"]
    print(f"\n| run ({n} samples vs Fashion-MNIST test, domain features) | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for name, card in cards.items():
        vals = [card["metrics"][k]["value"] for k in keys]
        print(f"| {name} | " + " | ".join(f"{v:.4g}" for v in vals) + " |")
    (plain_out / "comparison.json").write_text(json.dumps(cards, indent=2))


if __name__ == "__main__":
    main()
