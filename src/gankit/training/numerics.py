"""How an update is computed: autocast, loss scaling, gradient norms, eager modules for double backward."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import torch
from torch import nn


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 or fp16 autocast when asked for, a no-op context for fp32 ('auto' is settled before a game is built)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision not in ("bf16", "fp16"):
        raise ValueError(f"precision {precision!r} reached autocast unsettled; build games with build.build_game")
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


# fp16 keeps one loss scaler per player; bf16 has fp32's exponent range and needs none.
def backward(loss: torch.Tensor, scaler: torch.amp.GradScaler | None) -> None:
    """loss.backward(), through the player's loss scaler when it has one."""
    (scaler.scale(loss) if scaler is not None else loss).backward()


def optimizer_step(opt: torch.optim.Optimizer, scaler: torch.amp.GradScaler | None) -> None:
    """One optimiser step (skipped by the scaler when the scaled gradients overflowed)."""
    if scaler is None:
        opt.step()
    else:
        scaler.step(opt)
        scaler.update()


def grad_norm(params: Iterable[torch.Tensor]) -> torch.Tensor:
    """Total L2 norm of the gradients of `params` (0 when none has a gradient)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def unscaled_grad_norm(net: nn.Module, opt: torch.optim.Optimizer,
                       scaler: torch.amp.GradScaler | None) -> torch.Tensor:
    """The gradient norm of `net` before loss scaling (unscales the optimiser's gradients in place)."""
    if scaler is not None:
        scaler.unscale_(opt)
    return grad_norm(net.parameters())


def eager(net: nn.Module) -> nn.Module:
    """The uncompiled module behind a torch.compile wrapper: compiled autograd has no double backward,
    so gradient penalties and path length run eagerly (the weights are shared)."""
    return getattr(net, "_orig_mod", net)


def touch_every_weight(loss: torch.Tensor, net: nn.Module, ddp: bool) -> torch.Tensor:
    """Under DDP (one rank included), loss + 0·Σw: a lazy penalty leaves some weights without a gradient and DDP
    waits for every one (StyleGAN2's code does the same); without DDP the loss is unchanged."""
    if not ddp:
        return loss
    return loss + sum(p.flatten()[0] for p in net.parameters()) * 0
