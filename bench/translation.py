"""A translation preset trained from scratch, then scored on its held-out images: the figures of docs/benchmarks.md.

    python -m bench.translation [--preset fashion-cyclegan] [--out DIR] [--set KEY=VALUE ...]

Trains the preset (its own steps; wall time on this machine), then runs `gankit eval` on the run:
translation accuracy in each direction (the shipped Fashion-MNIST classifier's label, with the same
classifier's accuracy on real target images beside it), FID of the translations against the target
domain's test images, content preservation against its random-target baseline, and the cycle error
(CycleGAN) or the L1 against the ground truth (pix2pix). Prints a markdown table and writes
RUN/metric_card.json and RUN/samples/final.png (the paper's figure on held-out images).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import gankit
from gankit.evaluation import evaluate_translation, write_card


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion-cyclegan")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    out = args.out or Path("bench/out") / args.preset
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(args.preset, out=out, overrides=["log.progress=false", *args.overrides])
    wall = time.perf_counter() - t
    card = evaluate_translation(gankit.load_run(run.path))
    write_card(card, run.path / "metric_card.json")
    a, b = card["domains"]
    print(f"\n{args.preset}: {run.config.train.steps} steps in {wall:.0f} s (training, this machine); A = {a}, B = {b}; "
          f"{card['n_test'][0]} + {card['n_test'][1]} held-out images\n")
    print("| metric | value | 95% CI | note |\n|---|---|---|---|")
    for name, r in card["metrics"].items():
        ci = f"[{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]" if r.get("ci") else ""
        note = ""
        if "baseline" in r["extras"]:
            note = f"random-target baseline {r['extras']['baseline']:.3g} (ratio {r['extras']['ratio']:.2f})"
        if "real_target_accuracy" in r["extras"]:
            note = f"real target images: {r['extras']['real_target_accuracy']:.3f}"
        print(f"| {name} | {r['value']:.4g} | {ci} | {note} |")
    print(f"\nfigure: {run.path / 'samples' / 'final.png'}")


if __name__ == "__main__":
    main()
