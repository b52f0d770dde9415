"""Unrolled GANs (Metz et al. 2017): G's step sees how D would answer its move."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from gankit.losses.adversarial import Objective

Judge = Callable[[dict[str, torch.Tensor], torch.Tensor], torch.Tensor]


def unrolled_params(D: nn.Module, objective: Objective, real: torch.Tensor, fakes: Callable[[], torch.Tensor],
                    judge: Judge, steps: int, lr: float) -> dict[str, torch.Tensor]:
    """D's weights after `steps` differentiable SGD steps on its loss (Metz et al. 2017, eq. 5-6).

    `fakes()` draws a fresh fake batch; `judge(params, x)` is D's view with those weights. The steps
    keep their graph, so G's gradient accounts for D's answer. Buffers (BatchNorm statistics) are
    cloned, so the look-ahead leaves D untouched.
    """
    params = {n: p.detach().requires_grad_(True) for n, p in D.named_parameters()}
    buffers = {n: b.clone() for n, b in D.named_buffers()}
    for _ in range(steps):
        fake = fakes()
        both = {**params, **buffers}
        loss = objective.d(judge(both, real).float(), judge(both, fake).float())
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        params = {n: p - lr * g for (n, p), g in zip(params.items(), grads)}
    return {**params, **buffers}
