"""The one metric API: `update(real=, fake=)` with feature tensors, `compute() -> MetricResult`, `reset()`.

Metrics are pure functions of features (N×D). The feature extractor is applied by the caller
(see `gankit.metrics.features.extract_features`) and described in `provenance`, so that every score
says which network, which weights, how many samples, which reference split and which seed produced it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from gankit.errors import GankitError

# Rows per block when a metric walks an N×M distance or kernel matrix: 2**24 float64 = 128 MiB.
BLOCK_ELEMENTS = 1 << 24


class MetricError(GankitError, ValueError):
    """Input a metric cannot score: too few samples, mismatched feature sizes, missing extractor weights."""


@dataclass
class MetricResult:
    """One score with its uncertainty, sample counts and provenance.

    value: the score; ci: a (low, high) confidence interval or None; std: a spread over subsets or
    splits, or None; n_real / n_fake: how many feature vectors it used; extras: secondary numbers of
    the same computation; provenance: extractor name and weights hash, reference split, seed.
    """

    name: str
    value: float
    ci: tuple[float, float] | None = None
    std: float | None = None
    n_real: int = 0
    n_fake: int = 0
    extras: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as a plain, JSON-ready dict (the ci as a list)."""
        d = asdict(self)
        d["ci"] = None if self.ci is None else [float(self.ci[0]), float(self.ci[1])]
        return d

    def __float__(self) -> float:
        return float(self.value)


def as_features(x: torch.Tensor, what: str, flatten: bool = False) -> torch.Tensor:
    """Check and convert a feature batch: detached, on CPU, float32/float64, shape N×D."""
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    x = x.detach().cpu()
    if flatten and x.dim() > 2:
        x = x.reshape(len(x), -1)
    if x.dim() == 1:
        raise MetricError(f"{what}: got a 1-D tensor of shape {tuple(x.shape)}; metrics take N×D features "
                          f"(use x[:, None] for one feature per sample, or x[None] for one sample)")
    if x.dim() != 2:
        raise MetricError(f"{what}: got shape {tuple(x.shape)}; metrics take N×D features, so apply the "
                          f"feature extractor first (gankit.metrics.features.extract_features)")
    if not x.is_floating_point():
        x = x.float()
    elif x.dtype not in (torch.float32, torch.float64):
        x = x.float()
    if not bool(torch.isfinite(x).all()):
        raise MetricError(f"{what}: features contain NaN or inf; check the generator output and the extractor")
    return x


def check_dims(real: torch.Tensor, fake: torch.Tensor, metric: str) -> None:
    """Raise MetricError when real and fake features have different dimensions."""
    if real.shape[1] != fake.shape[1]:
        raise MetricError(f"{metric}: real features have dimension {real.shape[1]} but fake features have "
                          f"dimension {fake.shape[1]}; extract both with the same feature extractor")


def check_count(n: int, minimum: int, metric: str, which: str, reason: str) -> None:
    """Raise MetricError when fewer than `minimum` samples were given."""
    if n < minimum:
        raise MetricError(f"{metric} needs at least {minimum} {which} samples ({reason}); got {n}")


def block_rows(n_cols: int) -> int:
    """Rows per block so that a block of n_cols columns stays near BLOCK_ELEMENTS entries."""
    return max(1, BLOCK_ELEMENTS // max(1, n_cols))


def pairwise_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Euclidean distances (float64) between the rows of a (N×D) and b (M×D)."""
    return torch.cdist(a.double(), b.double())


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # the exact interval always contains p; rounding can push an end past it when p is 0 or 1
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


class Metric:
    """Accumulate real and fake features with `update`, score them with `compute`, clear with `reset`.

    Subclasses set `name`, `min_real`, `min_fake` (with `min_reason`) and implement `_score(real, fake)`.
    `provenance` (e.g. `extractor_provenance(extractor) | {"reference": "fashion-mnist/test"}`) is
    copied into every result, together with the metric's seed when it has one.
    """

    name = "metric"
    min_real = 1
    min_fake = 1
    min_reason = "to be defined"
    flatten_inputs = False

    def __init__(self, provenance: Mapping[str, Any] | None = None) -> None:
        self.provenance: dict[str, Any] = dict(provenance or {})
        self._real: list[torch.Tensor] = []
        self._fake: list[torch.Tensor] = []

    def update(self, real: torch.Tensor | None = None, fake: torch.Tensor | None = None) -> None:
        """Add a batch of real and/or fake features (N×D); the feature size must stay the same."""
        for x, store, what in ((real, self._real, "real"), (fake, self._fake, "fake")):
            if x is None:
                continue
            x = as_features(x, f"{self.name} update({what}=...)", self.flatten_inputs)
            for other in (self._real, self._fake):
                if other and other[0].shape[1] != x.shape[1]:
                    raise MetricError(f"{self.name}: this {what} batch has feature dimension {x.shape[1]} but "
                                      f"earlier batches have dimension {other[0].shape[1]}; extract every batch "
                                      f"with the same feature extractor")
            store.append(x)

    def reset(self) -> None:
        """Forget every feature seen so far (provenance and settings stay)."""
        self._real.clear()
        self._fake.clear()

    @property
    def n_real(self) -> int:
        """How many real feature vectors have been added."""
        return sum(len(x) for x in self._real)

    @property
    def n_fake(self) -> int:
        """How many fake feature vectors have been added."""
        return sum(len(x) for x in self._fake)

    def _gather(self, store: list[torch.Tensor], width: int | None) -> torch.Tensor:
        if not store:
            return torch.zeros(0, width or 0)
        dtype = torch.float64 if any(x.dtype == torch.float64 for x in store) else torch.float32
        return torch.cat([x.to(dtype) for x in store])

    def compute(self) -> MetricResult:
        """Score the features seen so far; raises MetricError when there are too few."""
        width = (self._real or self._fake or [torch.zeros(0, 0)])[0].shape[1]
        real, fake = self._gather(self._real, width), self._gather(self._fake, width)
        check_count(len(real), self.min_real, self.name, "real", self.min_reason)
        check_count(len(fake), self.min_fake, self.name, "fake", self.min_reason)
        if len(real) and len(fake):
            check_dims(real, fake, self.name)
        result = self._score(real, fake)
        result.n_real, result.n_fake = len(real), len(fake)
        result.provenance = {**self.provenance, **result.provenance}
        return result

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        raise NotImplementedError
