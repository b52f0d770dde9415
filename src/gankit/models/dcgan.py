"""DCGAN generator and discriminator (Radford et al. 2015) for 28, 32 and 64 px images.

G: a transposed conv lifts z to s0×s0 (s0 = 7 for 28 px, else 4), then stride-2 transposed convs
double the size, each followed by BatchNorm and ReLU, ending in tanh. Channels halve at each
doubling, from width·2^(n-1) down to width. D mirrors it: stride-2 convs with LeakyReLU(0.2),
BatchNorm on all but the first, and a final s0×s0 conv to one logit. No pooling, no dense hidden
layers (the paper's section 3 guidelines). Weights follow `dcgan_init` (N(0, 0.02)).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.conditioning import (
    HEAD_MODES,
    PROJECTING,
    ConditionalBatchNorm2d,
    CondSequential,
    DiscriminatorHead,
    JudgeWithAux,
    LabelCode,
    require_descriptor,
)
from gankit.models.init import dcgan_init, reset_conditioning
from gankit.nn.layers import MinibatchStd

SIZES = (28, 32, 64)


def _plan(size: int) -> tuple[int, int]:
    """(s0, number of stride-2 stages) for a supported image size."""
    if size not in SIZES:
        raise ValueError(f"DCGAN supports image sizes {SIZES}, got {size}; set data.size to one of them")
    s0 = 7 if size == 28 else 4
    return s0, (size // s0).bit_length() - 1


class DCGANGenerator(nn.Module):
    """G(z, c) -> image in [-1, 1] of shape (N, C, size, size); `cond` says how a class enters (see conditioning)."""

    def __init__(self, z_dim: int, out_shape: tuple[int, int, int], width: int = 64, num_classes: int = 0,
                 cond: str = "none", embed_dim: int = 32) -> None:
        super().__init__()
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        self.cond, self.num_classes = cond, num_classes if cond != "none" else 0
        channels, size = out_shape[0], out_shape[1]
        s0, n = _plan(size)
        chans = [width * 2 ** (n - 1 - i) for i in range(n)]  # e.g. [256, 128, 64] for n=3, width 64
        code_dim = 0
        if cond in ("concat", "embed"):
            self.label = LabelCode(cond, num_classes, embed_dim)
            code_dim = self.label.dim

        def norm(c: int) -> nn.Module:
            return ConditionalBatchNorm2d(c, num_classes) if cond == "cbn" else nn.BatchNorm2d(c)

        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim + code_dim, chans[0], s0, 1, 0, bias=False),
            norm(chans[0]),
            nn.ReLU(True),
        ]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), norm(b), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(chans[-1], channels, 4, 2, 1), nn.Tanh()]
        self.net = CondSequential(*layers)
        dcgan_init(self)
        reset_conditioning(self)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map noise (N, z_dim) and, when conditional, class labels or weights to images (N, C, H, W)."""
        h = z
        if self.num_classes:
            c = require_descriptor(c, len(z), "this generator")
            if self.cond in ("concat", "embed"):
                h = torch.cat([z, self.label(c).to(z.dtype)], 1)
        return self.net(h.view(len(z), -1, 1, 1), c if self.cond == "cbn" else None)


class DCGANDiscriminator(JudgeWithAux):
    """D(x, c) -> logits (N,) for images (N, C, size, size); `cond` says how the class is judged."""

    def __init__(self, in_shape: tuple[int, int, int], width: int = 64, minibatch_std: bool = False,
                 num_classes: int = 0, cond: str = "none", embed_dim: int = 32) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.cond, self.num_classes = cond, num_classes if cond != "none" else 0
        channels, size = in_shape[0], in_shape[1]
        s0, n = _plan(size)
        chans = [width * 2**i for i in range(n)]  # e.g. [64, 128, 256]
        extra = 0
        if cond in ("concat", "embed"):  # one-hot maps, or one learned map of the class
            self.label = LabelCode(cond, num_classes, size * size)
            extra = num_classes if cond == "concat" else 1
        layers: list[nn.Module] = [nn.Conv2d(channels + extra, chans[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, True)]
        if minibatch_std:  # Karras et al. 2018: one std feature map before the last layer
            layers.append(MinibatchStd())
        feat = chans[-1] + int(minibatch_std)
        layers.append(nn.Conv2d(feat, 1, s0, 1, 0))
        self.net = nn.Sequential(*layers)
        if cond in HEAD_MODES:
            self.head = DiscriminatorHead(cond, num_classes, feat if cond in PROJECTING else feat * s0 * s0)
        dcgan_init(self)
        reset_conditioning(self)

    def forward_aux(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits (N,), auxiliary class logits (N, K) for AC-GAN else None)."""
        if self.cond in ("concat", "embed", *PROJECTING):
            c = require_descriptor(c, len(x), "this discriminator")
        if self.cond in ("concat", "embed"):
            code = self.label(c).to(x.dtype)
            n, _, h, w = x.shape
            maps = code[:, :, None, None].expand(-1, -1, h, w) if self.cond == "concat" else code.view(n, 1, h, w)
            x = torch.cat([x, maps.contiguous(memory_format=_format_like(x))], 1)
        if self.cond not in HEAD_MODES:
            return self.net(x).flatten(), None
        h = self.net[:-1](x)
        out = self.net[-1](h).flatten()
        if self.cond == "acgan":
            return out, self.head.classify(h.flatten(1))
        pooled = h.sum((2, 3))
        aux = self.head.classify(pooled) if self.has_aux else None
        return out + self.head.projection(pooled, c), aux


def _format_like(x: torch.Tensor) -> torch.memory_format:
    return torch.channels_last if x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last) \
        and not x.is_contiguous() else torch.contiguous_format
