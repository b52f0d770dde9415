"""Learning-rate schedules: a multiplier of the base rate at each step."""

from __future__ import annotations

import math


def lr_multiplier(kind: str, step: int, total: int, decay_start: float = 0.5, end: float = 0.01) -> float:
    """Learning-rate multiplier: 'constant' (1), or a 'linear'/'cosine' decay from 1 to `end`.

    The decay runs from `decay_start`·total steps to `total`; before that the multiplier is 1.
    """
    if kind == "constant" or total <= 0:
        return 1.0
    t0 = decay_start * total
    if step <= t0:
        return 1.0
    u = min(1.0, (step - t0) / max(1.0, total - t0))
    if kind == "linear":
        return 1.0 + (end - 1.0) * u
    return end + (1.0 - end) * 0.5 * (1 + math.cos(math.pi * u))
