"""Fully connected generator and discriminator, as in Goodfellow et al. 2014 (section 5).

The paper's D used maxout units; here D uses LeakyReLU(0.2) and G uses ReLU, the common modern
choice. Weights follow `mlp_init` (Kaiming-uniform, zero bias). For images the generator ends in
tanh (data in [-1, 1]); for 2-D points its output is linear, in data coordinates.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.models.init import mlp_init
from gankit.nn.layers import MinibatchStd


def _stack(sizes: list[int], act: nn.Module) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act]
    return layers


class MLPGenerator(nn.Module):
    """G(z, c) -> x: `depth` hidden ReLU layers of `width` units."""

    def __init__(self, z_dim: int, out_shape: tuple[int, ...], width: int = 128, depth: int = 3) -> None:
        super().__init__()
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        out = math.prod(self.out_shape)
        head: list[nn.Module] = [nn.Linear(width, out)]
        if len(self.out_shape) == 3:
            head.append(nn.Tanh())
        self.net = nn.Sequential(*_stack([z_dim] + [width] * depth, nn.ReLU()), *head)
        mlp_init(self)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map noise (N, z_dim) to samples (N, *out_shape)."""
        return self.net(z).view(len(z), *self.out_shape)


class MLPDiscriminator(nn.Module):
    """D(x, c) -> logits: `depth` hidden LeakyReLU(0.2) layers of `width` units."""

    def __init__(self, in_shape: tuple[int, ...], width: int = 128, depth: int = 3, minibatch_std: bool = False) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        sizes = [math.prod(self.in_shape)] + [width] * depth
        head = [MinibatchStd(), nn.Linear(width + 1, 1)] if minibatch_std else [nn.Linear(width, 1)]
        self.net = nn.Sequential(*_stack(sizes, nn.LeakyReLU(0.2)), *head)
        mlp_init(self)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map samples (N, *in_shape) to raw logits (N,); larger means more real."""
        return self.net(x.flatten(1)).squeeze(1)
