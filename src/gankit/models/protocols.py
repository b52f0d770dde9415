"""What a model family offers beyond G(z, c) -> x and D(x, c) -> logits, as protocols checked with isinstance.

The game and the samplers ask for a capability, never for a family: a StyleGAN2 generator is a
`StyleGenerator` because it has styles, and any future family that has them is one too.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class Generator(Protocol):
    """G(z, c) -> x: noise of `z_dim` coordinates (and a class when `num_classes` > 0) to a sample."""

    z_dim: int
    num_classes: int

    def __call__(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Samples for noise z (N, z_dim) and class labels or weights c."""
        ...


@runtime_checkable
class AuxiliaryClassifier(Protocol):
    """A discriminator that can also classify its input (AC-GAN, Odena et al. 2017) when `has_aux` is true."""

    has_aux: bool

    def forward_aux(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits (N,), class logits (N, K) or None)."""
        ...


@runtime_checkable
class MappedGenerator(Protocol):
    """A generator in two stages: a mapping network z -> w, then a synthesis network w -> x (PPL walks in w)."""

    def mapping(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Latents w of noise z (and classes c)."""
        ...

    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        """Samples from w."""
        ...


@runtime_checkable
class StyleGenerator(MappedGenerator, Protocol):
    """A mapped generator with per-layer styles w (StyleGAN, Karras et al. 2019): ws (N, num_ws, w_dim).

    Its forward also takes truncation_psi/truncation_cutoff (towards `w_avg`), mix_z/mix_cutoff
    (style mixing) and return_ws (path-length regularisation).
    """

    num_ws: int
    w_avg: torch.Tensor

    def mix_ws(self, ws: torch.Tensor, ws2: torch.Tensor, cutoff: int | torch.Tensor) -> torch.Tensor:
        """Layers < cutoff from ws, the rest from ws2."""
        ...


def is_style_generator(G: object) -> bool:
    """Whether G has per-layer styles it can mix (more than one style input)."""
    return isinstance(G, StyleGenerator) and G.num_ws > 1


def has_aux_classifier(D: object) -> bool:
    """Whether D classifies its input besides judging it (AC-GAN)."""
    return isinstance(D, AuxiliaryClassifier) and bool(D.has_aux)


def num_classes(net: object) -> int:
    """Classes a conditional network takes (0 when unconditional or unknown)."""
    return int(net.num_classes) if isinstance(net, Generator) else 0
