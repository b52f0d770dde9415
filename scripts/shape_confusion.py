"""Which shape the checker reads in a shapes run's images, by the caption's size and shape: where shape accuracy goes.

    python scripts/shape_confusion.py RUN [--n 100] [--seed 0]

Draws n images for each of the 36 one-object captions (2 sizes × 6 colours × 3 shapes) and prints, for each size,
the share of images read as each shape (rows: the caption's shape), and the shape accuracy per size.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import torch

import gankit
from gankit.data.captions.shapes import PALETTE, SHAPES
from gankit.data.captions.shapes_checker import read_objects
from gankit.illustrator import Illustrator


@torch.no_grad()
def confusion(run_path: str, n: int, seed: int) -> dict[str, np.ndarray]:
    """size -> 3×4 shares: rows the caption's shape, columns the shape read (and 'none' when nothing was read)."""
    ill = Illustrator(gankit.load_run(run_path))
    out = {}
    for size in ("small", "large"):
        table = np.zeros((len(SHAPES), len(SHAPES) + 1))
        for (i, shape), colour in itertools.product(enumerate(SHAPES), PALETTE):
            images = ill.draw([f"a {size} {colour} {shape}"], n=n, seed=seed)[0]
            for image in images:
                found = read_objects(image)
                table[i, SHAPES.index(found[0].shape) if found else len(SHAPES)] += 1
        out[size] = table / table.sum(1, keepdims=True)
    return out


def main() -> None:
    """Print the confusion tables of one run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run")
    ap.add_argument("--n", type=int, default=100, help="images per caption")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for size, table in confusion(args.run, args.n, args.seed).items():
        print(f"\n{size}: caption shape → shape read ({args.n} images × 6 colours per row)")
        print(f"{'':10s}" + "".join(f"{s:>10s}" for s in (*SHAPES, "none")))
        for shape, row in zip(SHAPES, table):
            print(f"{shape:10s}" + "".join(f"{100 * v:9.1f}%" for v in row))
        print(f"shape accuracy, {size}: {100 * np.trace(table[:, :len(SHAPES)]) / len(SHAPES):.1f}%")


if __name__ == "__main__":
    main()
