"""What the samplers' fractions must be, and the per-class quantile that turns a fraction into thresholds."""

from __future__ import annotations

import torch

from gankit.errors import ConfigError

MAX_FRACTION = 0.5  # turning away more than this would make the rule, not G, the sampler


def check_fraction(q: object, key: str, what: str, maximum: float = MAX_FRACTION) -> float:
    """q as a float in [0, maximum]; else a ConfigError naming `key` and saying what the fraction is of."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.0 <= q <= maximum:
        raise ConfigError(f"{key} must be the fraction in [0, {maximum}] of {what} (0 = off), got {q!r}")
    return float(q)


def class_quantiles(values: torch.Tensor, level: float, labels: torch.Tensor | None = None, num_classes: int = 0,
                    what: str = "real sample") -> torch.Tensor:
    """The `level`-quantile of values, one per class (num_classes > 0) or a single one; `what` names a value in errors."""
    values = values.reshape(-1).double()
    if not num_classes:
        return torch.quantile(values, level).reshape(1).float()
    if labels is None or len(labels) != len(values):
        raise ValueError(f"per-class thresholds need one class label per {what}")
    taus = torch.empty(num_classes)
    for cls in range(num_classes):
        mine = values[labels == cls]
        if not len(mine):
            raise ValueError(f"no {what} of class {cls} to set its threshold")
        taus[cls] = torch.quantile(mine, level).float()
    return taus
