"""An explicit name -> factory table of model families; each factory returns (G, D)."""

from __future__ import annotations

from typing import Callable

from torch import nn

from gankit.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gankit.models.mlp import MLPDiscriminator, MLPGenerator

Pair = tuple[nn.Module, nn.Module]


def build_mlp(shape: tuple[int, ...], z_dim: int, g_width: int, d_width: int, g_depth: int, d_depth: int) -> Pair:
    """Fully connected G and D (Goodfellow et al. 2014) for points or flattened images."""
    return MLPGenerator(z_dim, shape, g_width, g_depth), MLPDiscriminator(shape, d_width, d_depth)


def build_dcgan(shape: tuple[int, ...], z_dim: int, g_width: int, d_width: int, g_depth: int, d_depth: int) -> Pair:
    """DCGAN G and D (Radford et al. 2015); depth follows from the image size."""
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(f"DCGAN needs square images C×H×W, got shape {shape}")
    return DCGANGenerator(z_dim, shape, g_width), DCGANDiscriminator(shape, d_width)


MODELS: dict[str, Callable[..., Pair]] = {"mlp": build_mlp, "dcgan": build_dcgan}


def model_names() -> list[str]:
    """Names accepted by `model.arch`."""
    return list(MODELS)


def build_models(arch: str, shape: tuple[int, ...], **sizes: int) -> Pair:
    """Build the (generator, discriminator) pair of a family for samples of `shape`."""
    if arch not in MODELS:
        raise ValueError(f"unknown model.arch {arch!r}; choose one of: {', '.join(MODELS)}")
    return MODELS[arch](tuple(shape), **sizes)
