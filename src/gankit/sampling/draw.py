"""The sampler: latents, then G, each behind an optional rule that keeps a candidate when its score passes τ.

Composable parts over callables, with no knowledge of run folders:
- `generate(z, c)`: G (with truncation, in eval mode);
- a latent rule (the Jacobian rule: score −‖J_G(z)‖_F against −τ) turns away latents;
- a sample rule (D's rejection: D's logit against τ) turns away samples.
A sample must pass both; the latent loop runs inside the sample loop, so one seeded stream of
latents feeds every round and the result is reproducible by seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from gankit.sampling.rejection import Score, rejection_sample
from gankit.utils.seeding import make_generator

Generate = Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]


@dataclass(frozen=True)
class Rule:
    """Keep a candidate of class k when score(candidate, k) ≥ thresholds[k] (one threshold when unconditional)."""

    score: Score
    thresholds: torch.Tensor
    judge: str = "D"
    advice: str | None = None


def noise(n: int, z_dim: int, seed: int) -> torch.Tensor:
    """Standard normal latents (n, z_dim), reproducible by seed."""
    return torch.randn(n, z_dim, generator=make_generator(seed, "cpu"))


def draw_samples(n: int, labels: torch.Tensor | None, seed: int, z_dim: int, generate: Generate,
                 latent_rule: Rule | None = None, sample_rule: Rule | None = None) -> torch.Tensor:
    """n samples G(z, labels) for latents from `seed`, behind the optional latent and sample rules."""
    if latent_rule is None and sample_rule is None:
        return generate(noise(n, z_dim, seed), labels)
    stream = make_generator(seed, "cpu")

    def fresh(k: int, lab: torch.Tensor | None) -> torch.Tensor:
        return torch.randn(k, z_dim, generator=stream)

    def latents(k: int, lab: torch.Tensor | None) -> torch.Tensor:
        if latent_rule is None:
            return fresh(k, lab)
        return _behind(latent_rule, k, lab, fresh)

    def candidates(k: int, lab: torch.Tensor | None) -> torch.Tensor:
        return generate(latents(k, lab), lab)

    if sample_rule is None:
        return candidates(n, labels)
    return _behind(sample_rule, n, labels, candidates)


def _behind(rule: Rule, n: int, labels: torch.Tensor | None,
            draw: Callable[[int, torch.Tensor | None], torch.Tensor]) -> torch.Tensor:
    return rejection_sample(n, labels, draw, rule.score, rule.thresholds, judge=rule.judge, advice=rule.advice)
