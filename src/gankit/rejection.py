"""Discriminator rejection: keep the candidates that the run's final discriminator finds most real.

Azadi et al. 2019 ("Discriminator Rejection Sampling", section 3) accept a generated x with
probability σ(F(x)), F(x) = D̃(x) − D̃_M − log(1 − exp(D̃(x) − D̃_M − ε)) − γ (their eq. 8), where D̃
is a discriminator calibrated to the log density ratio log p_data/p_G and γ shifts the acceptance
rate. gankit's objectives (hinge, WGAN, least squares, ...) do not train calibrated logits, so it
keeps the part that needs no calibration: a hard threshold on D's score, placed at the q-quantile
of the candidates' scores. Of ⌈n / (1 − q)⌉ candidates the n best-scored are kept, in the order
they were drawn; for a conditional run the quantile is taken within each class, so every class
keeps its share. What the rule removes are the samples the generator places between the data's
modes; it leaves the shape of each mode alone (bench.modes reports the mode spread with and
without it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from gankit.errors import ConfigError

MAX_REJECT = 0.5  # rejecting more would make D, not G, the sampler


def check_reject_fraction(q: float, key: str = "reject") -> float:
    """Validate a rejection fraction: a number in [0, 0.5]; errors name `key`."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.0 <= q <= MAX_REJECT:
        raise ConfigError(f"{key} must be a fraction in [0, {MAX_REJECT}] of the candidates D turns away "
                          f"(0 = off), got {q!r}")
    return float(q)


@dataclass(frozen=True)
class RejectionPlan:
    """Which candidates to draw for n samples, and how to pick n of them from D's scores."""

    n: int
    candidate_labels: torch.Tensor | None
    groups: tuple[tuple[torch.Tensor, int, int], ...]  # (output positions, first candidate, candidates)

    @property
    def n_candidates(self) -> int:
        """How many samples to draw before rejection."""
        return sum(m for _, _, m in self.groups)

    def select(self, scores: torch.Tensor) -> torch.Tensor:
        """Indices into the candidates of the n kept samples, in output order (best-scored per group)."""
        scores = scores.reshape(-1)
        if len(scores) != self.n_candidates:
            raise ValueError(f"expected {self.n_candidates} scores, got {len(scores)}")
        out = torch.empty(self.n, dtype=torch.long)
        for positions, start, m in self.groups:
            top = torch.topk(scores[start : start + m], len(positions)).indices
            out[positions] = torch.sort(top).values + start
        return out


def keep_most_real(n: int, q: float, labels: torch.Tensor | None = None) -> RejectionPlan:
    """Plan the rejection of a fraction q of candidates for n samples (with one class label per sample, or None)."""
    q = check_reject_fraction(q)
    if labels is None:
        return RejectionPlan(n, None, ((torch.arange(n), 0, math.ceil(n / (1 - q))),))
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or labels.dtype != torch.long or len(labels) != n:
        raise ValueError(f"rejection per class needs n={n} integer class labels, got shape {tuple(labels.shape)}")
    groups, cand, start = [], [], 0
    for cls in torch.unique(labels).tolist():
        positions = (labels == cls).nonzero().reshape(-1)
        m = math.ceil(len(positions) / (1 - q))
        groups.append((positions, start, m))
        cand.append(torch.full((m,), cls, dtype=torch.long))
        start += m
    return RejectionPlan(n, torch.cat(cand), tuple(groups))
