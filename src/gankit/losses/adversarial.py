"""Adversarial objectives on raw discriminator logits.

Sign convention (used everywhere in gankit): D returns a raw logit per sample and larger means
"more real"; D(x) = sigmoid(logit) is the probability of "real". Every function returns a scalar
to *minimise*, so the discriminator's loss is the negated value of the game it maximises.
log sigmoid(t) = -softplus(-t) and log(1 - sigmoid(t)) = -softplus(t) keep every term finite for
any logit (Goodfellow et al. 2014 write the game on probabilities, which saturate in float).

Shapes: `real` and `fake` are 1-D tensors of logits (N,), possibly of different lengths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gankit.errors import ConfigError

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


def d_loss_wasserstein(real: Tensor, fake: Tensor) -> Tensor:
    """The critic's loss of WGAN (Arjovsky et al. 2017, eq. 3): L_D = E[D(G(z))] - E[D(x)].

    D is a critic with unbounded output; the game needs D to be (close to) 1-Lipschitz, by weight
    clipping (WGAN) or a gradient penalty (WGAN-GP, Gulrajani et al. 2017). -L_D estimates the
    Wasserstein-1 distance.
    """
    return fake.mean() - real.mean()


def g_loss_wasserstein(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """The generator's WGAN loss (Arjovsky et al. 2017): L_G = -E[D(G(z))]; also hinge's G loss (Lim 2017)."""
    return -fake.mean()


def d_loss_least_squares(real: Tensor, fake: Tensor) -> Tensor:
    """LSGAN discriminator (Mao et al. 2017, eq. 2 with a=0, b=1): ½E[(D(x) − 1)²] + ½E[D(G(z))²]."""
    return 0.5 * (real - 1).pow(2).mean() + 0.5 * fake.pow(2).mean()


def g_loss_least_squares(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """LSGAN generator (Mao et al. 2017, eq. 2 with c=1): ½E[(D(G(z)) − 1)²]."""
    return 0.5 * (fake - 1).pow(2).mean()


def d_loss_hinge(real: Tensor, fake: Tensor) -> Tensor:
    """Hinge discriminator (Lim & Ye 2017; Miyato et al. 2018, eq. 16): E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def _paired(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    if a.shape != b.shape:
        raise ValueError(f"relativistic losses pair real and fake samples: got {tuple(a.shape)} and {tuple(b.shape)}")
    return a, b


def d_loss_relativistic(real: Tensor, fake: Tensor) -> Tensor:
    """RSGAN discriminator (Jolicoeur-Martineau 2018, eq. 9): -E[log σ(C(x_r) − C(x_f))] over (real, fake) pairs."""
    real, fake = _paired(real, fake)
    return F.softplus(-(real - fake)).mean()


def g_loss_relativistic(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """RSGAN generator (Jolicoeur-Martineau 2018, eq. 10): -E[log σ(C(x_f) − C(x_r))]."""
    fake, real = _paired(fake, _need_real(real))
    return F.softplus(-(fake - real)).mean()


def d_loss_relativistic_average(real: Tensor, fake: Tensor) -> Tensor:
    """RaGAN discriminator (Jolicoeur-Martineau 2018, eq. 13 with the standard f).

    With D̃(x_r) = σ(C(x_r) − E C(x_f)) and D̃(x_f) = σ(C(x_f) − E C(x_r)):
    L_D = −E[log D̃(x_r)] − E[log(1 − D̃(x_f))].
    """
    return F.softplus(-(real - fake.mean())).mean() + F.softplus(fake - real.mean()).mean()


def g_loss_relativistic_average(fake: Tensor, real: Tensor | None = None) -> Tensor:
    """RaGAN generator (Jolicoeur-Martineau 2018, eq. 14): −E[log D̃(x_f)] − E[log(1 − D̃(x_r))]."""
    real = _need_real(real)
    return F.softplus(-(fake - real.mean())).mean() + F.softplus(real - fake.mean()).mean()


def _need_real(real: Tensor | None) -> Tensor:
    if real is None:
        raise ValueError("this generator loss is relativistic: it needs the real logits too")
    return real


@dataclass(frozen=True)
class Objective:
    """A named pair of losses: `d(real, fake)` for the discriminator, `g(fake, real)` for the generator."""

    name: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor, Tensor | None], Tensor]
    reference: str
    needs_real_for_g: bool = False
    # How to read D's output as a decision, for the accuracy curves:
    #   "sign": real when the logit is > 0;  "half": real when the output is > 0.5 (LSGAN's targets 0 and 1);
    #   "relative": real when C(x) beats the other side's mean (critics and relativistic D, whose level is arbitrary).
    decision: str = "sign"
    probability: bool = False  # sigmoid(output) is D's probability of "real" (the original game)


OBJECTIVES: dict[str, Objective] = {
    "minimax": Objective("minimax", d_loss_standard, g_loss_minimax, "Goodfellow et al. 2014, eq. 1", probability=True),
    "nonsaturating": Objective(
        "nonsaturating", d_loss_standard, g_loss_nonsaturating, "Goodfellow et al. 2014, section 3", probability=True
    ),
    "wgan": Objective(
        "wgan", d_loss_wasserstein, g_loss_wasserstein, "Arjovsky et al. 2017 (with weight clipping)", decision="relative"
    ),
    "wgan-gp": Objective(
        "wgan-gp", d_loss_wasserstein, g_loss_wasserstein, "Gulrajani et al. 2017 (with gradient penalty)", decision="relative"
    ),
    "lsgan": Objective("lsgan", d_loss_least_squares, g_loss_least_squares, "Mao et al. 2017, eq. 2", decision="half"),
    "hinge": Objective("hinge", d_loss_hinge, g_loss_wasserstein, "Lim & Ye 2017; Miyato et al. 2018"),
    "rsgan": Objective(
        "rsgan", d_loss_relativistic, g_loss_relativistic, "Jolicoeur-Martineau 2018, RSGAN", needs_real_for_g=True, decision="relative"
    ),
    "ragan": Objective(
        "ragan",
        d_loss_relativistic_average,
        g_loss_relativistic_average,
        "Jolicoeur-Martineau 2018, RaGAN",
        needs_real_for_g=True,
        decision="relative",
    ),
}


def objective_names() -> list[str]:
    """Names accepted by `loss.objective`."""
    return list(OBJECTIVES)


def get_objective(name: str) -> Objective:
    """Look up an objective by name; an unknown name lists the valid ones."""
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ConfigError(f"unknown objective {name!r}; choose one of: {', '.join(OBJECTIVES)}") from None
