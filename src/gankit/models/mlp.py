"""Fully connected generator and discriminator, as in Goodfellow et al. 2014 (section 5).

The paper's D used maxout units; here D uses LeakyReLU(0.2) and G uses ReLU, the common modern
choice. Weights follow `mlp_init` (Kaiming-uniform, zero bias). For images the generator ends in
tanh (data in [-1, 1]); for 2-D points its output is linear, in data coordinates.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.models.conditioning import (
    HEAD_MODES,
    PROJECTING,
    DiscriminatorHead,
    JudgeWithAux,
    LabelCode,
    require_descriptor,
)
from gankit.models.init import mlp_init, reset_conditioning
from gankit.nn.layers import MinibatchStd


def _stack(sizes: list[int], act: nn.Module) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act]
    return layers


class MLPGenerator(nn.Module):
    """G(z, c) -> x: `depth` hidden ReLU layers of `width` units; a class enters concatenated to z."""

    def __init__(self, z_dim: int, out_shape: tuple[int, ...], width: int = 128, depth: int = 3,
                 num_classes: int = 0, cond: str = "none", embed_dim: int = 32) -> None:
        super().__init__()
        if cond == "cbn":
            raise ValueError("model.cond_g=cbn needs a generator with batch norm (model.arch=dcgan); "
                             "the MLP generator takes concat or embed")
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        self.cond, self.num_classes = cond, num_classes if cond != "none" else 0
        code_dim = 0
        if cond in ("concat", "embed"):
            self.label = LabelCode(cond, num_classes, embed_dim)
            code_dim = self.label.dim
        out = math.prod(self.out_shape)
        head: list[nn.Module] = [nn.Linear(width, out)]
        if len(self.out_shape) == 3:
            head.append(nn.Tanh())
        self.net = nn.Sequential(*_stack([z_dim + code_dim] + [width] * depth, nn.ReLU()), *head)
        mlp_init(self)
        reset_conditioning(self)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map noise (N, z_dim) and, when conditional, class labels or weights to samples (N, *out_shape)."""
        if self.num_classes:
            z = torch.cat([z, self.label(require_descriptor(c, len(z), "this generator")).to(z.dtype)], 1)
        return self.net(z).view(len(z), *self.out_shape)


class MLPDiscriminator(JudgeWithAux):
    """D(x, c) -> logits: `depth` hidden LeakyReLU(0.2) layers of `width` units."""

    def __init__(self, in_shape: tuple[int, ...], width: int = 128, depth: int = 3, minibatch_std: bool = False,
                 num_classes: int = 0, cond: str = "none", embed_dim: int = 32) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.cond, self.num_classes = cond, num_classes if cond != "none" else 0
        extra = 0
        if cond in ("concat", "embed"):
            self.label = LabelCode(cond, num_classes, embed_dim)
            extra = self.label.dim
        sizes = [math.prod(self.in_shape) + extra] + [width] * depth
        head = [MinibatchStd(), nn.Linear(width + 1, 1)] if minibatch_std else [nn.Linear(width, 1)]
        self.net = nn.Sequential(*_stack(sizes, nn.LeakyReLU(0.2)), *head)
        if cond in HEAD_MODES:
            self.head = DiscriminatorHead(cond, num_classes, width + int(minibatch_std))
        mlp_init(self)
        reset_conditioning(self)

    def forward_aux(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits (N,), auxiliary class logits (N, K) for AC-GAN else None)."""
        h = x.flatten(1)
        if self.cond in ("concat", "embed", *PROJECTING):
            c = require_descriptor(c, len(x), "this discriminator")
        if self.cond in ("concat", "embed"):
            h = torch.cat([h, self.label(c).to(h.dtype)], 1)
        if self.cond not in HEAD_MODES:
            return self.net(h).squeeze(1), None
        feats = self.net[:-1](h)
        out = self.net[-1](feats).squeeze(1)
        aux = self.head.classify(feats) if self.has_aux else None
        if self.cond in PROJECTING:
            out = out + self.head.projection(feats, c)
        return out, aux
