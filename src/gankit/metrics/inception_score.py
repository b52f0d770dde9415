"""Inception Score (Salimans et al. 2016, section 4): IS = exp(E_x KL(p(y|x) ‖ p(y))).

p(y|x) are a classifier's class probabilities for each generated sample (N×C, from logits by softmax
or given directly) and p(y) = E_x p(y|x) is their mean over the split. As in the authors' code, the
samples are cut into `splits` consecutive parts, IS is computed on each, and the result is the mean
with the population standard deviation (ddof=0) over splits. IS ranges from 1 (every sample gets
the same prediction) to C (confident predictions spread evenly over C classes). It uses no real
samples; the classifier is injected (e.g. `DomainClassifier.logits`, or Inception's 1008 logits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gankit.metrics.base import Metric, MetricError, MetricResult


def _probabilities(x: torch.Tensor, from_logits: bool) -> torch.Tensor:
    x = x.double()
    if from_logits:
        return torch.softmax(x, dim=1)
    if bool((x < 0).any()) or not torch.allclose(x.sum(1), torch.ones(len(x), dtype=x.dtype), atol=1e-4):
        raise MetricError("inception score: probabilities must be non-negative rows summing to 1; pass "
                          "from_logits=True for raw classifier outputs")
    return x / x.sum(1, keepdim=True)


def split_scores(p_yx: torch.Tensor, splits: int) -> torch.Tensor:
    """exp(mean KL(p(y|x) ‖ p(y))) for each of `splits` consecutive parts of probabilities p_yx (N×C)."""
    out = []
    for part in torch.tensor_split(p_yx, splits):
        p_y = part.mean(0, keepdim=True)
        kl = (torch.xlogy(part, part) - torch.xlogy(part, p_y.expand_as(part))).sum(1)  # 0·log 0 = 0
        out.append(torch.exp(kl.mean()))
    return torch.stack(out)


def inception_score(x: torch.Tensor, splits: int = 10, from_logits: bool = True,
                    provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """IS of class logits (or probabilities with from_logits=False), N×C, over `splits` splits."""
    m = InceptionScore(splits=splits, from_logits=from_logits, provenance=provenance)
    m.update(fake=x)
    return m.compute()


class InceptionScore(Metric):
    """Inception Score from an injected classifier's outputs on generated samples; higher is better.

    update(fake=...) takes N×C logits (from_logits=True, default) or probabilities; real samples are
    not used and are refused.
    """

    name = "inception_score"
    min_real = 0

    def __init__(self, splits: int = 10, from_logits: bool = True,
                 provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__(provenance)
        if splits < 1:
            raise MetricError(f"inception score needs splits ≥ 1, got {splits}")
        self.splits, self.from_logits = splits, from_logits
        self.min_fake = splits
        self.min_reason = f"each of the {splits} splits needs at least one sample"

    def update(self, real: torch.Tensor | None = None, fake: torch.Tensor | None = None) -> None:
        """Add class logits or probabilities (N×C) of generated samples."""
        if real is not None:
            raise MetricError("inception score uses generated samples only: call update(fake=class_outputs)")
        super().update(fake=fake)

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        scores = split_scores(_probabilities(fake, self.from_logits), self.splits)
        return MetricResult(name=self.name, value=float(scores.mean()), std=float(scores.std(unbiased=False)),
                            extras={"splits": self.splits, "classes": fake.shape[1],
                                    "split_scores": [float(s) for s in scores]})
