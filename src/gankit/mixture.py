"""Sampling from a mixture of the generator's last iterates instead of the last one alone.

The GAN game has a pure equilibrium only for an unbounded generator; with finite networks and
finite learning rates the players circle it, and online-learning arguments say the time *average
of the strategies played*, a mixed strategy, is what approaches equilibrium, not the last iterate
(Freund & Schapire 1999; Grnarova et al. 2018, "An Online Learning Approach to Generative
Adversarial Networks", section 3; Ge et al. 2018, "Fictitious GAN", eq. 5, output the mixture of
past generators). A mixture of generators G_1..G_K draws each sample from one of them, chosen
uniformly: p(x) = (1/K) Σ_k p_{G_k}(x). It is not an average of weights (an EMA), which gives one
generator and narrows the modes (docs/benchmarks.md).

What it fixes, measured on the 2-D benchmark (bench.modes, docs/benchmarks.md): late in training
each snapshot of G puts a mode's samples in a blob narrower than the data's, at a slightly
different place each time; on ring8 the mixture of the snapshots over the last 20% of the steps
has wider modes (spread 0.81 → 0.86, every seed ≥ 0.8) for 0.7 points of high quality. grid25's
generator goes on sharpening after its instance noise ends, so its mixture is kept short (the last
4% of 15000 steps): the final G's modes are less than half the data's width there, the mixture's
three quarters of it.

`sample.mixture = f` keeps the sampling generator (the EMA copy when there is one) and D every
`sample.mixture_every` steps over the last fraction f of `train.steps`, and at the last step
(`snapshot_steps`). Each kept pair is a mixture member; with `sample.reject`, each member's own D
turns away that member's samples (gankit.rejection).
"""

from __future__ import annotations

import math

import torch

from gankit.errors import ConfigError


def check_mixture(fraction: float, every: int) -> None:
    """Validate sample.mixture (a fraction in [0, 1)) and sample.mixture_every (a positive step count)."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 <= fraction < 1.0:
        raise ConfigError(f"sample.mixture must be the fraction in [0, 1) of train.steps at the end of training "
                          f"whose generator snapshots the sampler mixes (0 = the final G alone), got {fraction!r}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ConfigError(f"sample.mixture_every must be a whole number of steps ≥ 1 between generator snapshots, "
                          f"got {every!r}")


def snapshot_steps(steps: int, fraction: float, every: int) -> list[int]:
    """The steps whose G (and D) a run keeps for the mixture: multiples of `every` from (1 − fraction)·steps on, and `steps`."""
    if fraction <= 0:
        return []
    first = math.ceil((1.0 - fraction) * steps - 1e-9)
    return sorted({s for s in range(every, steps + 1, every) if s >= first} | {steps})


def member_counts(n: int, k: int, seed: int) -> torch.Tensor:
    """How many of n samples each of k members draws: n // k each, the n % k left over to members picked at random.

    A stratified draw from the uniform mixture: every member's share is within one sample of n / k.
    """
    if k < 1:
        raise ValueError("a mixture needs at least one member")
    counts = torch.full((k,), n // k, dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    counts[torch.randperm(k, generator=g)[: n % k]] += 1
    return counts
