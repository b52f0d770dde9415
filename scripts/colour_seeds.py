"""The text-to-image learning test over seeds: how often the asked colour is drawn after a tiny budget.

    python scripts/colour_seeds.py [--seeds 0 1 2] [--set KEY=VALUE ...]

Trains shapes-dfgan with the overrides of tests/integration/test_text2img.py (700 steps: 100 encoder
steps, 600 game steps), draws 8 images for each one-object caption of the training colour–shape pairs
(both sizes) and prints the checker's colour accuracy per seed (chance: 1/6). The test asserts a bar
set below the worst of these.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

import gankit
from gankit.data.captions.shapes import HELD_OUT, PALETTE, SHAPES, SIZES
from gankit.data.captions.shapes_checker import attribute_accuracy
from gankit.illustrator import Illustrator

LEARN = {"log.progress": False, "log.report": "none", "log.every": 10, "log.checkpoint_every": 1000,
         "log.sample_every": 1000, "data.n": 3000, "model.z_dim": 16, "model.g_width": 8, "model.d_width": 8,
         "text.embed": 32, "text.dim": 64, "text.pretrain": 100, "text.redescribe": 1.0, "train.batch_size": 32, "train.steps": 700,
         "train.lr_g": 1e-3, "train.lr_d": 1e-3, "train.precision": "fp32"}
ONE_OBJECT = [f"a {size} {colour} {shape}" for size in SIZES for colour in PALETTE for shape in SHAPES
              if (colour, shape) not in HELD_OUT]


def colour_accuracy(run_path: Path, n: int = 8) -> dict[str, float]:
    """The checker's accuracy per caption part on n images of each one-object training caption."""
    images = Illustrator(gankit.load_run(run_path)).draw(ONE_OBJECT, n=n, seed=0).flatten(0, 1)
    return attribute_accuracy(images, [c for c in ONE_OBJECT for _ in range(n)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    extra = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.overrides)}  # YAML-typed, as --set
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            run = gankit.train("shapes-dfgan", out=Path(tmp) / "run", overrides={**LEARN, **extra, "seed": seed})
            acc = colour_accuracy(run.path)
            print(f"seed {seed}: colour {acc['colour']:.3f}, size {acc['size']:.3f}, shape {acc['shape']:.3f} "
                  f"({time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
