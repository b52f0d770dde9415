"""Exponential moving average of the generator's weights (Karras et al. 2018, appendix; Yazıcı et al. 2019)."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """A frozen copy of a model whose parameters track θ_ema ← β·θ_ema + (1 − β)·θ after every update.

    Before step `start` the copy simply follows the model (θ_ema ← θ), so the average does not
    remember the random initialisation. Buffers (e.g. BatchNorm statistics) are copied, not averaged.
    With decay 0 the copy equals the model after every update.
    """

    def __init__(self, model: nn.Module, decay: float, start: int = 0) -> None:
        self.decay, self.start = float(decay), int(start)
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        """Blend the live model's parameters into the average; `step` is the count of G updates so far."""
        ema_p = list(self.model.parameters())
        live_p = [p.detach() for p in model.parameters()]
        if step < self.start or self.decay == 0.0:
            torch._foreach_copy_(ema_p, live_p)
        else:
            torch._foreach_lerp_(ema_p, live_p, 1.0 - self.decay)
        for b_ema, b in zip(self.model.buffers(), model.buffers()):
            b_ema.copy_(b)
