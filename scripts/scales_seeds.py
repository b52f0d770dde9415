"""The SeqGAN learning test (the scales language) over seeds: the figures in tests/integration/test_seqgan.py.

    python scripts/scales_seeds.py [--seeds 0 1 2 3 4] [--set KEY=VALUE ...]

For each seed: train the scales-seqgan preset, then the share of 1000 sequences (sampling seed 99)
that are grammatical sentences of the language, for the MLE-pretrained G and the adversarial G.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import gankit
from gankit.composer import Composer
from gankit.data.music import valid_share


def grammatical_shares(run: gankit.Run, n: int = 1000) -> dict[str, float]:
    """The share of n sequences of each generator that the language's grammar accepts."""
    meta = run.dataset().meta
    return {which: valid_share(Composer(run, which).sample_ids(n, seed=99), meta) for which in ("pretrained", "latest")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="KEY=VALUE on top of the preset")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="scales-"))
    print("| seed | MLE G | adversarial G | s |\n|---|---|---|---|")
    for seed in args.seeds:
        t = time.perf_counter()
        run = gankit.train("scales-seqgan", out=root / f"seed{seed}",
                           overrides=[f"seed={seed}", "log.progress=false", "log.report=none", *args.overrides])
        shares = grammatical_shares(gankit.load_run(run.path))
        print(f"| {seed} | {shares['pretrained']:.3f} | {shares['latest']:.3f} | {time.perf_counter() - t:.0f} |", flush=True)


if __name__ == "__main__":
    main()
