"""How one iteration of the adversarial game is played, apart from the networks: small typed groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

Augment = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class Regularizers:
    """Weights of D's gradient penalties, WGAN's weight clip, and the penalties' interval (every > 1: lazy)."""

    r1: float = 0.0
    r2: float = 0.0
    roth: float = 0.0
    gp: float = 0.0
    gp_center: float = 1.0
    gp_one_sided: bool = False
    every: int = 1
    clip: float = 0.0

    @property
    def active(self) -> bool:
        """Whether any penalty is on."""
        return self.r1 > 0 or self.r2 > 0 or self.roth > 0 or self.gp > 0

    @property
    def needs_fake(self) -> bool:
        """Whether a penalty looks at generated samples (R1 alone needs only real ones)."""
        return self.r2 > 0 or self.roth > 0 or self.gp > 0


@dataclass
class AuxClassifier:
    """AC-GAN's class loss (Odena et al. 2017, eq. 2-3), used when D has an auxiliary classifier.

    fake_in_d: Odena et al.'s D also fits the class of fakes; False trains it on real data only.
    weight_d: D's weight when it differs from G's (None: `weight` for both).
    confidence: G's class loss on a sample stops once D's classifier gives the asked class this
    probability (1: never), so that G is not pushed past a recognisable class into a caricature of it.
    """

    weight: float = 1.0
    fake_in_d: bool = True
    weight_d: float | None = None
    confidence: float = 1.0


@dataclass
class Unroll:
    """Unrolled D look-ahead for the G step (Metz et al. 2017): `steps` SGD steps of size `lr` (0 = off)."""

    steps: int = 0
    lr: float = 0.05


@dataclass
class PathLength:
    """StyleGAN2's path-length regulariser of G (Karras et al. 2020, §3.2), lazy every `every` iterations."""

    weight: float = 0.0
    every: int = 4
    decay: float = 0.01
    batch_shrink: int = 2


@dataclass
class GameOptions:
    """Everything about how one iteration is played, apart from the networks and optimisers.

    augment: what D sees besides packing (DiffAugment/ADA, instance noise); adapt_p: ADA's r_t rule
    moves the augmentation probability; lr_schedule: the multiplier of both learning rates at a step;
    style_mixing: probability that a fake batch mixes two latents (style generators).
    """

    z_dim: int
    batch_size: int
    d_steps: int = 1
    precision: str = "fp32"
    channels_last: bool = False
    reuse_fake: bool = True
    conditional: bool = False
    pack: int = 1
    augment: Augment | None = None
    adapt_p: bool = False
    reg: Regularizers = field(default_factory=Regularizers)
    aux: AuxClassifier = field(default_factory=AuxClassifier)
    unroll: Unroll = field(default_factory=Unroll)
    path_length: PathLength = field(default_factory=PathLength)
    style_mixing: float = 0.0
    lr_schedule: Callable[[int], float] | None = None
