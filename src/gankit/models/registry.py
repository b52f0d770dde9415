"""An explicit name -> factory table of model families; each factory returns (G, D)."""

from __future__ import annotations

from typing import Callable

from torch import nn

from gankit.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gankit.models.mlp import MLPDiscriminator, MLPGenerator
from gankit.nn.layers import apply_spectral_norm

Pair = tuple[nn.Module, nn.Module]


def packed_shape(shape: tuple[int, ...], pack: int) -> tuple[int, ...]:
    """The input shape of a PacGAN discriminator that judges `pack` samples of `shape` at once."""
    return (shape[0] * pack, *shape[1:])


def build_mlp(shape: tuple[int, ...], z_dim: int, g_width: int, d_width: int, g_depth: int, d_depth: int,
              pack: int = 1, minibatch_std: bool = False, num_classes: int = 0, cond_g: str = "none",
              cond_d: str = "none", embed_dim: int = 32) -> Pair:
    """Fully connected G and D (Goodfellow et al. 2014) for points or flattened images."""
    D = MLPDiscriminator(packed_shape(shape, pack), d_width, d_depth, minibatch_std, num_classes, cond_d, embed_dim)
    G = MLPGenerator(z_dim, shape, g_width, g_depth, num_classes, cond_g, embed_dim)  # D first: seeded results stay
    return G, D


def build_dcgan(shape: tuple[int, ...], z_dim: int, g_width: int, d_width: int, g_depth: int, d_depth: int,
                pack: int = 1, minibatch_std: bool = False, num_classes: int = 0, cond_g: str = "none",
                cond_d: str = "none", embed_dim: int = 32) -> Pair:
    """DCGAN G and D (Radford et al. 2015); depth follows from the image size."""
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(f"DCGAN needs square images C×H×W, got shape {shape}")
    G = DCGANGenerator(z_dim, shape, g_width, num_classes, cond_g, embed_dim)
    D = DCGANDiscriminator(packed_shape(shape, pack), d_width, minibatch_std, num_classes, cond_d, embed_dim)
    return G, D


MODELS: dict[str, Callable[..., Pair]] = {"mlp": build_mlp, "dcgan": build_dcgan}


def model_names() -> list[str]:
    """Names accepted by `model.arch`."""
    return list(MODELS)


def build_models(arch: str, shape: tuple[int, ...], spectral_norm: bool = False, **sizes) -> Pair:
    """Build the (generator, discriminator) pair of a family for samples of `shape`.

    `spectral_norm=True` normalises every weight of D (Miyato et al. 2018); `pack` and
    `minibatch_std` are passed to the family's D. A conditional pair takes `num_classes` and the
    modes `cond_g` / `cond_d` (see gankit.models.conditioning).
    """
    if arch not in MODELS:
        raise ValueError(f"unknown model.arch {arch!r}; choose one of: {', '.join(MODELS)}")
    conditional = sizes.get("cond_g", "none") != "none" or sizes.get("cond_d", "none") != "none"
    if conditional and sizes.get("num_classes", 0) < 2:
        raise ValueError(f"a conditional model needs a dataset with at least 2 classes, got {sizes.get('num_classes', 0)}")
    G, D = MODELS[arch](tuple(shape), **sizes)
    if spectral_norm:
        apply_spectral_norm(D)
    return G, D
