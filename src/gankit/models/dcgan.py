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

from gankit.models.init import dcgan_init
from gankit.nn.layers import MinibatchStd

SIZES = (28, 32, 64)


def _plan(size: int) -> tuple[int, int]:
    """(s0, number of stride-2 stages) for a supported image size."""
    if size not in SIZES:
        raise ValueError(f"DCGAN supports image sizes {SIZES}, got {size}; set data.size to one of them")
    s0 = 7 if size == 28 else 4
    return s0, (size // s0).bit_length() - 1


class DCGANGenerator(nn.Module):
    """G(z, c) -> image in [-1, 1] of shape (N, C, size, size)."""

    def __init__(self, z_dim: int, out_shape: tuple[int, int, int], width: int = 64) -> None:
        super().__init__()
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        channels, size = out_shape[0], out_shape[1]
        s0, n = _plan(size)
        chans = [width * 2 ** (n - 1 - i) for i in range(n)]  # e.g. [256, 128, 64] for n=3, width 64
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim, chans[0], s0, 1, 0, bias=False),
            nn.BatchNorm2d(chans[0]),
            nn.ReLU(True),
        ]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(chans[-1], channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map noise (N, z_dim) to images (N, C, H, W)."""
        return self.net(z.view(len(z), self.z_dim, 1, 1))


class DCGANDiscriminator(nn.Module):
    """D(x, c) -> logits (N,) for images (N, C, size, size)."""

    def __init__(self, in_shape: tuple[int, int, int], width: int = 64, minibatch_std: bool = False) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        channels, size = in_shape[0], in_shape[1]
        s0, n = _plan(size)
        chans = [width * 2**i for i in range(n)]  # e.g. [64, 128, 256]
        layers: list[nn.Module] = [nn.Conv2d(channels, chans[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, True)]
        if minibatch_std:  # Karras et al. 2018: one std feature map before the last layer
            layers.append(MinibatchStd())
        layers.append(nn.Conv2d(chans[-1] + int(minibatch_std), 1, s0, 1, 0))
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """Map images to raw logits (N,); larger means more real."""
        return self.net(x).flatten()
