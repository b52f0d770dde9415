"""A text-to-image preset trained from scratch, then scored: the figures of docs/benchmarks.md.

    python -m bench.text2img [--preset shapes-dfgan] [--out DIR] [--n 1000] [--set KEY=VALUE ...] [--docs]

Trains the preset (its own steps and time budget; wall time on this machine), then runs `gankit eval`
on the run (gankit.evaluation.text2img): for each evaluation set, R-precision, FID, and caption
accuracy (shapes: the checker's colour, shape, size and relation; fashion-text: the shipped
classifier's class accuracy), for G, the caption-ignored baseline and real images. Prints the card,
writes RUN/metric_card.json and RUN/samples/final.png (a row of images per fixed caption); with
--docs, that figure is copied to docs/figures/PRESET.png.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import gankit
from gankit.evaluation import write_card
from gankit.evaluation.text2img import evaluate_text2img, format_text2img_card


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="shapes-dfgan")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--n", type=int, default=1000, help="captions per evaluation set (default 1000)")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--eval-only", action="store_true", help="score the run already in --out without training")
    ap.add_argument("--docs", action="store_true", help="copy the final figure to docs/figures/PRESET.png")
    args = ap.parse_args()
    out = args.out or Path("bench/out") / args.preset
    if not args.eval_only:
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        gankit.train(args.preset, out=out, overrides=["log.progress=false", *args.overrides])
        print(f"\n{args.preset}: trained in {time.perf_counter() - t:.0f} s (wall, this machine)")
    run = gankit.load_run(out)
    card = evaluate_text2img(run, n=args.n)
    write_card(card, run.path / "metric_card.json")
    print(f"step {run.step} of {run.config.train.steps}; scored in {card['seconds']:.0f} s\n")
    print(format_text2img_card(card))
    figure = run.path / "samples" / "final.png"
    print(f"\nfigure: {figure}")
    if args.docs:
        shutil.copyfile(figure, Path("docs/figures") / f"{args.preset}.png")


if __name__ == "__main__":
    main()
