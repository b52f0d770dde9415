"""What a run is scored against: the reference split, the training samples, and the feature extractor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from gankit.data.registry import dataset_entry
from gankit.metrics import extract_features, load_extractor
from gankit.metrics.features import DOMAIN_NAMES
from gankit.run import Run


class RawFeatures:
    """The identity extractor: samples flattened (2-D points, or pixels in [-1, 1])."""

    name = "raw"
    weights_hash = "none"
    resize_rule = "none: samples flattened as they are (points in data coordinates, images in [-1, 1])"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Flatten to N×D float."""
        return (x.float().div(127.5).sub(1) if x.dtype == torch.uint8 else x.float()).flatten(1)


@dataclass
class EvalSetup:
    """What a run is scored against and with what; reference features are computed once and cached."""

    real: torch.Tensor  # reference samples (uint8 images or float points)
    train: torch.Tensor  # training samples, for memorisation
    reference: str  # e.g. "fashion-mnist/test"
    extractor: Callable[[torch.Tensor], torch.Tensor]
    kind: str
    data_name: str
    real_labels: torch.Tensor | None = None  # class labels of `real`, for per-class metrics
    _cache: dict = field(default_factory=dict)

    def real_features(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(reference samples, their features) for a subset of size n drawn with seed."""
        real, feats, _ = self._real(n, seed)
        return real, feats

    def real_labels_of(self, n: int, seed: int) -> torch.Tensor | None:
        """Labels of the subset `real_features(n, seed)` returns."""
        return self._real(n, seed)[2]

    def _real(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        if (n, seed) not in self._cache:
            idx = subset_index(len(self.real), n, seed)
            real = self.real[idx]
            labels = self.real_labels[idx] if self.real_labels is not None else None
            self._cache[(n, seed)] = (real, extract_features(self.extractor, real), labels)
        return self._cache[(n, seed)]


def subset_index(size: int, n: int, seed: int) -> torch.Tensor:
    """Indices of a seeded random subset of n of `size` items (all of them when size ≤ n)."""
    if size <= n:
        return torch.arange(size)
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(size, generator=g)[:n]


def default_features(run: Run) -> str:
    """The run's domain classifier when there is one, else raw samples."""
    name = run.data_name
    return name if run.kind == "image" and name in DOMAIN_NAMES else "raw"


def setup_for(run: Run, features: str | None, inception_weights: str | None = None) -> EvalSetup:
    """Load the reference split (the test split where the dataset has one) and the extractor."""
    cfg = run.config
    train = run.dataset()
    if dataset_entry(cfg.data.name).held_out:
        real = run.dataset(split="test", n=None)
        reference = f"{cfg.data.name}/test ({len(real):,} held-out images)"
    else:
        real = train
        reference = f"{cfg.data.name}/{cfg.data.split} (the training data: the dataset has no held-out split)"
    name = features or default_features(run)
    extractor = RawFeatures() if name == "raw" else load_extractor(name, inception_weights).to(run.device)
    return EvalSetup(real.x, train.x, reference, extractor, run.kind, cfg.data.name, real_labels=real.y)
