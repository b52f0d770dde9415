"""An explicit name -> factory table of model families; each factory returns (G, D)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from gankit.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gankit.models.mlp import MLPDiscriminator, MLPGenerator
from gankit.models.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator
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


def build_stylegan2(shape: tuple[int, ...], z_dim: int, g_width: int, d_width: int, g_depth: int, d_depth: int,
                    pack: int = 1, minibatch_std: bool = False, num_classes: int = 0, cond_g: str = "none",
                    cond_d: str = "none", embed_dim: int = 32) -> Pair:
    """StyleGAN2 G and D (Karras et al. 2020) for C×R×R images, R a power of two in 32..256, C 1 or 3.

    Widths follow the resolution (channels = min(4·width, 128·width / r), see models.stylegan2);
    w_dim = 4·g_width; g_depth is the depth of the mapping network (the paper uses 8); d_depth is
    unused (D's depth follows from R). minibatch_std adds StyleGAN2's minibatch-std layer (group 4).
    cond_g: none | embed; cond_d: none | projection.
    """
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(f"StyleGAN2 needs square images C×H×W, got shape {shape}")
    if cond_g not in ("none", "embed") or cond_d not in ("none", "projection"):
        raise ValueError(f"StyleGAN2 supports model.cond_g in (none, embed) and model.cond_d in (none, projection), "
                         f"got cond_g={cond_g}, cond_d={cond_d}")
    G = StyleGAN2Generator(z_dim, shape, g_width, g_depth, num_classes=num_classes, cond=cond_g,
                           embed_dim=embed_dim)
    D = StyleGAN2Discriminator(packed_shape(shape, pack), d_width, 4 if minibatch_std else 0, num_classes, cond_d)
    return G, D


MODELS: dict[str, Callable[..., Pair]] = {"mlp": build_mlp, "dcgan": build_dcgan, "stylegan2": build_stylegan2}


def model_names() -> list[str]:
    """Names accepted by `model.arch`."""
    return list(MODELS)


def build_models(arch: str, shape: tuple[int, ...], spectral_norm: bool = False, **sizes: Any) -> Pair:
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
