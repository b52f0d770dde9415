"""The demo measured: `gankit demo`'s recipe, its wall time, and how good its samples are.

    python -m bench.demo [--n 10000] [--out bench/out/demo]

Trains the recipe `gankit demo` trains (gankit.cli.training.DEMO) on this machine, then scores the
EMA generator (what the report and `gankit sample` use) and the raw generator of the same
checkpoint with gankit's evaluation: n samples against the Fashion-MNIST test split in the shipped
classifier's features (FID, KID, precision/recall, C2ST), the share of each class as that
classifier judges the samples, and the share of pixels that are exactly black.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import torch

import gankit
from gankit.cli.training import DEMO
from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.evaluation import evaluate, setup_for
from gankit.metrics.features import load_domain_classifier
from gankit.utils.images import to_uint8

KEYS = ["fid", "kid", "precision", "recall", "c2st"]


def class_shares(x: torch.Tensor) -> np.ndarray:
    """The share of samples the shipped Fashion-MNIST classifier puts in each class."""
    clf = load_domain_classifier("fashion-mnist")
    with torch.no_grad():
        pred = torch.cat([clf.logits(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)]).numpy()
    return np.bincount(pred, minlength=len(CLASS_NAMES)) / len(pred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/demo"))
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    preset, steps = DEMO
    t = time.perf_counter()
    run = gankit.train(preset, out=args.out, overrides={"train.steps": steps, "log.progress": False})
    wall = time.perf_counter() - t
    setup = setup_for(run, None)
    print(f"{preset}, {steps} steps: {wall:.0f} s wall with the report; torch threads {torch.get_num_threads()}\n")
    print("| generator | " + " | ".join(KEYS) + " | smallest class share | pixels exactly black |")
    print("|---|" + "---|" * (len(KEYS) + 2))
    for ema in (True, False):
        r = gankit.load_run(args.out, ema=ema)
        card = evaluate(r, n=args.n, metrics="fid,kid,pr,c2st", setup=setup, seed=0)
        x = r.sample(args.n, seed=1)
        shares = class_shares(x)
        low = int(shares.argmin())
        vals = " | ".join(f"{card['metrics'][k]['value']:.4g}" for k in KEYS)
        print(f"| {'EMA (sampled by default)' if ema else 'raw'} | {vals} | {100 * shares[low]:.1f}% ({CLASS_NAMES[low]}) | "
              f"{100 * float((to_uint8(x) == 0).mean()):.0f}% |")
    print(f"\ngrid: {run.path / 'samples/final.png'} (make demo-figure copies it to docs/figures/demo.png)")


if __name__ == "__main__":
    main()
