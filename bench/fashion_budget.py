"""fashion-dcgan on a CPU time budget: a grid per predicted class, to see that every class is there.

    python -m bench.fashion_budget [--minutes 10] [--out bench/out/fashion-budget]

Trains the fashion-dcgan preset for the budget (wall clock, this machine), then draws 2000
samples from the EMA generator and sorts them by a multinomial logistic-regression classifier
fitted here on 20k Fashion-MNIST training images (its test accuracy is printed: it is a coarse
judge, not issue 4's domain classifier). It writes a 10-row figure, one row per class with the
8 samples the classifier is surest of, and the class histogram of all samples.
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
from gankit.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
from gankit.utils.images import make_grid, save_image, to_uint8


def fit_judge(seed: int = 0):
    """Logistic regression on 20k training images; returns (model, test accuracy)."""
    from sklearn.linear_model import LogisticRegression

    train, test = load_fashion_mnist(split="train"), load_fashion_mnist(split="test")
    idx = np.random.default_rng(seed).permutation(len(train))[:20000]
    X = train.x[idx].flatten(1).float().numpy() / 255
    clf = LogisticRegression(max_iter=300, C=0.5).fit(X, train.y[idx].numpy())
    acc = clf.score(test.x.flatten(1).float().numpy() / 255, test.y.numpy())
    return clf, acc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--out", type=Path, default=Path("bench/out/fashion-budget"))
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train("fashion-dcgan", out=args.out, overrides=[
        "train.steps=1000000", f"train.budget_minutes={args.minutes}", "log.progress=false", *args.overrides])
    wall = time.perf_counter() - t
    steps = json.loads((run.path / "checkpoints/latest.json").read_text())["step"]
    clf, acc = fit_judge()
    x = run.sample(2000, seed=0)
    probs = clf.predict_proba((x.flatten(1).numpy() + 1) / 2)
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
    print(f"judge: logistic regression, test accuracy {100 * acc:.1f}%")
    print("| class | share of 2000 samples |\n|---|---|")
    for c in range(10):
        print(f"| {CLASS_NAMES[c]} | {100 * hist[c]:.1f}% |")
    print(f"figure: {run.path / 'samples-by-class.png'} (rows in class order, 8 most confident each)")
    (run.path / "bench.json").write_text(json.dumps({"steps": steps, "minutes": args.minutes, "judge_acc": acc,
                                                     "class_share": hist.tolist()}, indent=2))


if __name__ == "__main__":
    main()
