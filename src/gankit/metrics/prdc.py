"""Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020) from k-NN balls.

With real features X (N), fake features Y (M), r_i the distance from X_i to its k-th nearest other real
sample and s_j the same for Y_j within the fakes (Kynkäänniemi et al. 2019, section 2; Naeem et al.
2020, section 3), and strict inequalities as in the authors' `prdc` package:
- precision = 1/M Σ_j 1[∃ i: ‖Y_j − X_i‖ < r_i]            share of fakes inside the real manifold
- recall    = 1/N Σ_i 1[∃ j: ‖X_i − Y_j‖ < s_j]            share of reals inside the fake manifold
- density   = 1/(kM) Σ_j Σ_i 1[‖Y_j − X_i‖ < r_i]          how many real balls hold each fake, / k (≈ 1 when equal)
- coverage  = 1/N Σ_i 1[min_j ‖X_i − Y_j‖ < r_i]            share of real balls holding at least one fake
Distances are Euclidean, computed in float64 blocks so N×M never sits in memory at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gankit.metrics.base import (
    Metric,
    MetricError,
    MetricResult,
    block_rows,
    check_count,
    check_dims,
    pairwise_distances,
)

SCORES = ("precision", "recall", "density", "coverage")


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row of x to its k-th nearest other row (the (k+1)-th smallest, self included), float64."""
    check_count(len(x), k + 1, "k-NN radii", "input", f"the k-th neighbour other than itself, k={k}")
    rows = block_rows(len(x))
    return torch.cat([pairwise_distances(x[i:i + rows], x).topk(k + 1, dim=1, largest=False).values[:, -1]
                      for i in range(0, len(x), rows)])


def compute_prdc(real: torch.Tensor, fake: torch.Tensor, k: int = 5) -> dict[str, float]:
    """Precision, recall, density and coverage of fake (M×D) against real (N×D) features with k neighbours."""
    check_count(len(real), k + 1, "PRDC", "real", f"k-NN radii with k={k} need k+1 points")
    check_count(len(fake), k + 1, "PRDC", "fake", f"k-NN radii with k={k} need k+1 points")
    check_dims(real, fake, "PRDC")
    real_r, fake_r = knn_radii(real, k), knn_radii(fake, k)
    in_real_balls = torch.zeros(len(fake), dtype=torch.float64)  # per fake: how many real balls hold it
    recalled = torch.zeros(len(real), dtype=torch.bool)
    covered = torch.zeros(len(real), dtype=torch.bool)
    rows = block_rows(len(fake))
    for i in range(0, len(real), rows):
        d = pairwise_distances(real[i:i + rows], fake)
        r = real_r[i:i + rows, None]
        in_real_balls += (d < r).sum(0)
        recalled[i:i + rows] = (d < fake_r[None, :]).any(1)
        covered[i:i + rows] = d.min(1).values < real_r[i:i + rows]
    return {
        "precision": float((in_real_balls > 0).double().mean()),
        "recall": float(recalled.double().mean()),
        "density": float(in_real_balls.mean() / k),
        "coverage": float(covered.double().mean()),
    }


class PRDC(Metric):
    """All four k-NN scores in one pass; higher is better for each.

    `compute()` returns the score named by `score` (default precision) with the other three in `extras`;
    `compute_all()` returns one MetricResult per score.
    """

    name = "prdc"
    min_reason = "k-NN radii need k+1 points"

    def __init__(self, k: int = 5, score: str = "precision", provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__(provenance)
        if score not in SCORES:
            raise MetricError(f"PRDC score must be one of {SCORES}, got {score!r}")
        self.k, self.score = k, score
        self.min_real = self.min_fake = k + 1

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        scores = compute_prdc(real, fake, self.k)
        others = {name: v for name, v in scores.items() if name != self.score}
        return MetricResult(name=self.score, value=scores[self.score], extras={**others, "k": self.k})

    def compute_all(self) -> dict[str, MetricResult]:
        """One result per score (precision, recall, density, coverage), from a single computation."""
        head = self.compute()
        scores = {head.name: head.value, **{s: head.extras[s] for s in SCORES if s != head.name}}
        return {s: MetricResult(name=s, value=scores[s], n_real=head.n_real, n_fake=head.n_fake,
                                extras={"k": self.k}, provenance=dict(head.provenance)) for s in SCORES}


def prdc(real: torch.Tensor, fake: torch.Tensor, k: int = 5,
         provenance: Mapping[str, Any] | None = None) -> dict[str, MetricResult]:
    """Precision, recall, density and coverage as four MetricResults."""
    m = PRDC(k=k, provenance=provenance)
    m.update(real=real, fake=fake)
    return m.compute_all()
