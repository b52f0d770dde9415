"""Regenerate the figures of docs/latent.md from a trained conditional Fashion-MNIST run.

    python scripts/latent_figures.py bench/out/control-fashion-cdcgan [--out docs/figures]

Each figure is what the matching `gankit` subcommand writes; the commands are printed so that the
figures in the docs can be reproduced one by one. The projection target is a Fashion-MNIST test image
(the generator never saw the test split).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from PIL import Image

from gankit.run import load_run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("--out", type=Path, default=Path("docs/figures"))
    ap.add_argument("--test-index", type=int, default=0, help="which Fashion-MNIST test image to project")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    run = load_run(args.run)
    test = run.dataset(split="test", n=None)
    target = args.out / "latent-projection-target.png"
    Image.fromarray(test.x[args.test_index, 0].numpy()).save(target)
    print(f"projection target: test image {args.test_index}, class {test.class_names[int(test.y[args.test_index])]}")
    r, o = str(args.run), args.out
    commands = [
        ["sample", r, "--class", "Sneaker", "--n", "16", "--out", str(o / "latent-sneakers.png")],
        ["sample", r, "--class", "Sneaker", "--n", "16", "--truncation", "0.5", "--out",
         str(o / "latent-sneakers-psi0.5.png")],
        ["interpolate", r, "3", "17", "--steps", "9", "--out", str(o / "latent-interpolation.png")],
        ["interpolate", r, "Sandal", "Ankle boot", "--steps", "9", "--rows", "3", "--out",
         str(o / "latent-class-morph.gif")],
        ["arithmetic", r, "Sneaker - Sandal + Ankle boot", "--out", str(o / "latent-arithmetic.png")],
        ["project", r, str(target), "--out", str(o / "latent-projection")],
        ["interpolate", r, str(o / "latent-projection" / "code.npz"), "5", "--steps", "9", "--out",
         str(o / "latent-projection-walk.png")],
        ["neighbours", r, "--n", "5", "--k", "5", "--out", str(o / "latent-neighbours.png")],
    ]
    for c in commands:
        print("gankit " + " ".join(f'"{a}"' if " " in a else a for a in c))
        subprocess.run([sys.executable, "-m", "gankit", *c], check=True)


if __name__ == "__main__":
    main()
