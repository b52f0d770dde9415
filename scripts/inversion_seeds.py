"""The CycleGAN learning test (intensity inversion) over seeds: the figures in tests/integration/test_translation.py.

    python scripts/inversion_seeds.py [--seeds 0 1 2 3]

For each seed: the share of translated held-out A images that look like B (mean above the midpoint),
the L1 to each input's own inversion against the L1 to another input's, and the cycle L1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import gankit
from gankit.translator import Translator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from test_translation import INVERT, write_inversion  # the test's recipe and data, not a copy of them


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="inversion-"))
    data = write_inversion(root / "data")
    print("| seed | accuracy | L1 to own inversion | L1 to another's | cycle L1 |\n|---|---|---|---|---|")
    for seed in args.seeds:
        run = gankit.load_run(gankit.train("folder-cyclegan-tiny", out=root / f"s{seed}", overrides={
            **INVERT, "data.path": str(data), "seed": seed}).path)
        test = run.dataset(split="test")
        a = test.x[test.y == 0].float().div(127.5).sub(1)
        t = Translator(run)
        out = t.translate(a, "AtoB")
        acc = float((out.flatten(1).mean(1) > (a.mean() + (-a).mean()) / 2).float().mean())
        own = float((out + a).abs().flatten(1).mean(1).mean())
        other = float((out + a.roll(1, 0)).abs().flatten(1).mean(1).mean())
        cycle = float((t.translate(out, "BtoA") - a).abs().mean())
        print(f"| {seed} | {acc:.2f} | {own:.3f} | {other:.3f} | {cycle:.3f} |", flush=True)


if __name__ == "__main__":
    main()
