"""Issue 21's own-generator bar over seeds: the histogram detector trained on fashion-dcgan, fresh subsets each seed.

    python scripts/detect_seeds.py [--seeds 4]        # after `python -m bench.detect_generators`

Each seed draws other real training images, other fashion-dcgan samples, another split, and other held-out
real test images and samples (from the held-out sample file); it prints the detector's own held-out AP and
its AP on 2000 real test images against 2000 held-out samples.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bench.detect import _real
from gankit.detect import train_detector
from gankit.detect.inputs import Images
from gankit.detect.sources import Source
from gankit.metrics.detection import average_precision


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fakes", type=Path, default=Path("bench/out/detect/fakes"))
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args()
    train_pool, held_pool = np.load(args.fakes / "fashion-dcgan.npy"), np.load(args.fakes / "fashion-dcgan-heldout.npy")
    print("| seed | held-out AP (detector's own split) | AP on 2000 + 2000 held-out images |\n|---|---|---|")
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        fake = train_pool[rng.choice(len(train_pool), 5000, replace=False)][..., None]
        det = train_detector(_real("train", 5000, seed + 10), [Source("fashion-dcgan", Images(fake, [], "samples"))],
                             "histogram", tempfile.mkdtemp(), seed=seed, progress=False)
        real_test = _real("test", 2000, seed + 20).array
        held = held_pool[rng.choice(len(held_pool), 2000, replace=False)][..., None]
        p = det.score(np.concatenate([real_test, held]))
        ap_held = average_precision(p, np.r_[np.zeros(2000), np.ones(2000)])
        print(f"| {seed} | {det.facts['heldout']['ap']:.4f} | {ap_held:.4f} |", flush=True)


if __name__ == "__main__":
    main()
