"""Drawing one token per row: torch.multinomial against gankit's inverse-CDF sampler, at SeqGAN's rollout sizes.

    python -m bench.categorical [--rows 512] [--vocab 2839] [--repeats 20]

512 rows = 32 sequences × 16 rollouts; 2839 words = chorales-seqgan's vocabulary. Prints ms per draw.
"""

from __future__ import annotations

import argparse
import time

import torch

from gankit.models.sequence import sample_categorical


def ms_per_call(fn, repeats: int) -> float:
    """Mean wall time of fn() in milliseconds, after one warm-up call."""
    fn()
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=512)
    ap.add_argument("--vocab", type=int, default=2839)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(args.rows, args.vocab, generator=g), -1)
    multinomial = ms_per_call(lambda: torch.multinomial(probs, 1, generator=g), args.repeats)
    inverse_cdf = ms_per_call(lambda: sample_categorical(probs, g), args.repeats)
    print(f"{args.rows} rows × {args.vocab} words: torch.multinomial {multinomial:.2f} ms, inverse CDF "
          f"{inverse_cdf:.2f} ms ({multinomial / inverse_cdf:.0f}× faster)")


if __name__ == "__main__":
    main()
