"""The whole path on a user's folders, timed: train folder-cyclegan-tiny, translate a folder, evaluate.

    python -m bench.translation_folder [--out bench/out/translation-folder]

The folders are generated: 60 + 60 training and 20 + 20 test images, 64 px RGB, discs (A) and
squares (B) of random colours on random dark backgrounds, in the reference layout (trainA/ trainB/
testA/ testB/). The commands are the CLI's, run in this process; the tiny preset's 40 steps make
it a check of the path, and its scores mean nothing.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from gankit.cli.main import main as gankit


def write_shapes(root: Path, seed: int = 0) -> Path:
    """Discs in trainA/testA, squares in trainB/testB."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", 60), ("test", 20)):
        for domain in "AB":
            folder = root / f"{split}{domain}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                image = Image.new("RGB", (64, 64), tuple(int(v) for v in rng.integers(0, 90, 3)))
                x, y, r = (int(v) for v in (rng.integers(16, 48), rng.integers(16, 48), rng.integers(8, 15)))
                draw = ImageDraw.Draw(image)
                shape = draw.ellipse if domain == "A" else draw.rectangle
                shape([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in rng.integers(140, 256, 3)))
                image.save(folder / f"{i:03d}.png")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench/out/translation-folder"))
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    shapes = write_shapes(args.out / "shapes")
    run = args.out / "run"
    t = time.perf_counter()
    steps = [["train", "folder-cyclegan-tiny", "--data-path", str(shapes), "--out", str(run)],
             ["translate", str(run), "--input", str(shapes / "testA"), "--direction", "AtoB", "--out",
              str(args.out / "translated")],
             ["eval", str(run)]]
    for argv in steps:
        if gankit(argv) != 0:
            raise SystemExit(f"gankit {' '.join(argv)} failed")
    print(f"\nthe whole path (train, translate a folder, eval): {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
