"""Adversarial objectives on raw discriminator logits.

Sign convention (used everywhere in gankit): D returns a raw logit per sample and larger means
"more real"; D(x) = sigmoid(logit) is the probability of "real". Every function returns a scalar
to *minimise*, so the discriminator's loss is the negated value of the game it maximises.
log sigmoid(t) = -softplus(-t) and log(1 - sigmoid(t)) = -softplus(t) keep every term finite for
any logit (Goodfellow et al. 2014 write the game on probabilities, which saturate in float).

Shapes: `real` and `fake` are 1-D tensors of logits (N,), possibly of different lengths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def d_loss_standard(real: Tensor, fake: Tensor) -> Tensor:
    """The discriminator's side of the original game (Goodfellow et al. 2014, eq. 1).

    D maximises E_x[log D(x)] + E_z[log(1 - D(G(z)))], so it minimises
    L_D = E[softplus(-real)] + E[softplus(fake)]: the binary cross-entropy of real vs fake.
    At the game's equilibrium D(x) = 1/2 everywhere and L_D = 2 log 2.
    """
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def g_loss_minimax(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """The generator's side of eq. 1 exactly (Goodfellow et al. 2014): minimise E_z[log(1 - D(G(z)))].

    L_G = E[log(1 - sigmoid(fake))] = -E[softplus(fake)]. Its gradient vanishes when D confidently
    rejects fakes (sigmoid(fake) → 0), which is why the paper recommends the non-saturating form.
    """
    return -F.softplus(fake).mean()


def g_loss_nonsaturating(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """The non-saturating generator loss (Goodfellow et al. 2014, section 3): maximise E_z[log D(G(z))].

    L_G = -E[log sigmoid(fake)] = E[softplus(-fake)]. Same fixed point as eq. 1, but strong
    gradients early in training, when D rejects the fakes easily.
    """
    return F.softplus(-fake).mean()


@dataclass(frozen=True)
class Objective:
    """A named pair of losses: `d(real, fake)` for the discriminator, `g(fake, real)` for the generator."""

    name: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor, Tensor | None], Tensor]
    reference: str
    needs_real_for_g: bool = False


OBJECTIVES: dict[str, Objective] = {
    "minimax": Objective("minimax", d_loss_standard, g_loss_minimax, "Goodfellow et al. 2014, eq. 1"),
    "nonsaturating": Objective(
        "nonsaturating", d_loss_standard, g_loss_nonsaturating, "Goodfellow et al. 2014, section 3"
    ),
}


def objective_names() -> list[str]:
    """Names accepted by `loss.objective`."""
    return list(OBJECTIVES)


def get_objective(name: str) -> Objective:
    """Look up an objective by name; an unknown name lists the valid ones."""
    from gankit.errors import ConfigError

    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ConfigError(f"unknown objective {name!r}; choose one of: {', '.join(OBJECTIVES)}") from None
