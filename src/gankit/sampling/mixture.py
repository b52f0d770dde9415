"""Sampling from a mixture of the generator's last iterates instead of the last one alone.

The GAN game has a pure equilibrium only for an unbounded generator; with finite networks and
finite learning rates the players circle it, and online-learning arguments say the time average
of the strategies played, a mixed strategy, is what approaches equilibrium, not the last iterate
(Freund & Schapire 1999; Grnarova et al. 2018, "An Online Learning Approach to Generative
Adversarial Networks", section 3; Ge et al. 2018, "Fictitious GAN", eq. 5). A mixture of
generators G_1..G_K draws each sample from one of them, chosen uniformly:
p(x) = (1/K) Σ_k p_{G_k}(x). It is not an average of weights (an EMA), which gives one generator.

`sample.mixture = f` keeps the sampling generator (the EMA copy when there is one) and D every
`sample.mixture_every` steps over the last fraction f of `train.steps`, and at the last step
(`snapshot_steps`; training.snapshots.SnapshotKeeper writes them). Each kept pair is a member;
with `sample.reject`, each member's own D turns away that member's samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from gankit.errors import ConfigError
from gankit.utils.seeding import make_generator

# draws k samples with a seed, for the given class labels (or None)
MemberDraw = Callable[[int, int, list[int] | None], torch.Tensor]


def check_mixture(fraction: object, every: object) -> None:
    """Validate sample.mixture (a fraction in [0, 1)) and sample.mixture_every (a positive step count)."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 <= fraction < 1.0:
        raise ConfigError(f"sample.mixture must be a fraction in [0, 1) of train.steps, the end of training whose "
                          f"G snapshots are mixed (0 = off), got {fraction!r}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ConfigError(f"sample.mixture_every must be a whole number of steps ≥ 1, got {every!r}")


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


def sample_mixture(n: int, labels: torch.Tensor | None, seed: int, members: Sequence[MemberDraw]) -> torch.Tensor:
    """n samples from the uniform mixture of `members`, in a random order of slots, reproducible by seed.

    Slot i keeps class labels[i]; each member draws its share with a seed of its own.
    """
    g = make_generator(seed, "cpu")
    slots = torch.split(torch.randperm(n, generator=g), member_counts(n, len(members), seed).tolist())
    seeds = torch.randint(0, 2**62, (len(members),), generator=g).tolist()
    out: torch.Tensor | None = None
    for draw, idx, member_seed in zip(members, slots, seeds):
        if not len(idx):
            continue
        x = draw(len(idx), member_seed, None if labels is None else labels[idx].tolist())
        if out is None:
            out = torch.empty((n, *x.shape[1:]), dtype=x.dtype)
        out[idx] = x
    if out is None:
        raise ValueError(f"a mixture sample needs n ≥ 1, got {n}")
    return out
