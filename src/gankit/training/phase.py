"""A phase: one named step of an iteration, run every `every` iterations, that returns its numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

Stats = dict[str, torch.Tensor]


@dataclass
class Phase:
    """A named step, run on iterations whose index is a multiple of `every` (lazy phases use every > 1).

    `run(log)` does the step and returns detached scalars; `log` says whether this iteration is logged
    (so costly numbers such as gradient norms are measured only then).
    """

    name: str
    run: Callable[[bool], Stats]
    every: int = 1
