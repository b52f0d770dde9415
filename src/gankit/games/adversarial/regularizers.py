"""D's gradient penalties as one weighted sum, and WGAN's weight clipping."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from gankit.games.adversarial.options import Regularizers
from gankit.losses.penalties import gradient_penalty, r1_penalty, r2_penalty, roth_penalty
from gankit.training.phase import Stats


def penalty_sum(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor | None,
                reg: Regularizers, scale: float = 1.0) -> tuple[torch.Tensor, Stats]:
    """Σ weight·scale·penalty over the active penalties (fp32), and each raw value for the log.

    R1, R2 and Roth's term enter as γ/2 (Mescheder et al. 2018), the WGAN-GP term as λ. `fake` may be
    None when no active penalty looks at generated samples (reg.needs_fake is false).
    """
    if fake is None and reg.needs_fake:
        raise ValueError("R2, Roth's penalty and WGAN-GP need generated samples: pass `fake`")
    total, stats = torch.zeros((), device=real.device), {}
    terms = [
        ("r1", reg.r1 / 2, lambda: r1_penalty(critic, real)),
        ("r2", reg.r2 / 2, lambda: r2_penalty(critic, fake)),
        ("roth", reg.roth / 2, lambda: roth_penalty(critic, real, fake)),
        ("gp", reg.gp, lambda: gradient_penalty(critic, real, fake, reg.gp_center, reg.gp_one_sided)),
    ]
    for name, weight, fn in terms:
        if weight > 0:
            value = fn()
            total = total + weight * scale * value
            stats[f"pen_{name}"] = value.detach()
    return total, stats


@torch.no_grad()
def clip_weights(net: nn.Module, bound: float) -> None:
    """WGAN's weight clipping to [−bound, bound] (Arjovsky et al. 2017, Algorithm 1)."""
    params = list(net.parameters())
    torch._foreach_clamp_min_(params, -bound)
    torch._foreach_clamp_max_(params, bound)
