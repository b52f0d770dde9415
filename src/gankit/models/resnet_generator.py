"""CycleGAN's ResNet generator (Zhu et al. 2017, appendix 7.2; after Johnson et al. 2016).

c7s1-w, d2w, d4w, R4w × blocks, u2w, uw, c7s1-out: a 7×7 conv behind reflection padding 3, `downsamplings`
stride-2 3×3 convs doubling the channels, residual blocks at the lowest resolution, as many stride-2
transposed 3×3 convs (output_padding 1) halving them, and a 7×7 conv to the output channels with tanh.
Normalisation is InstanceNorm2d(affine=False, track_running_stats=False) as in the authors' code, so a
sample is normalised by its own statistics in training and inference alike. Because that norm has no
learned shift, the authors' convs keep their biases (inert before the norm, but kept here so the parameter
count, 11,378,179 for 9 blocks at width 64 on RGB, and the layout match theirs). Any H×W input is accepted:
it is reflection-padded to a multiple of 2^downsamplings and the output cropped back (see stride_padding).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.init import dcgan_init
from gankit.models.stride_padding import crop, min_input_size, pad_to_multiple


def _norm(channels: int) -> nn.InstanceNorm2d:
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)


class ResidualBlock(nn.Module):
    """x + IN(conv3(pad(ReLU(IN(conv3(pad(x))))))): two reflection-padded 3×3 convs with an identity skip."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), _norm(channels), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), _norm(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output, same shape as x."""
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """G(x) -> image in [-1, 1] of x's size: CycleGAN's encoder, residual blocks and decoder (Zhu et al. 2017)."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 64, blocks: int = 9,
                 downsamplings: int = 2) -> None:
        super().__init__()
        if blocks < 1 or downsamplings < 0 or width < 1:
            raise ValueError(f"ResnetGenerator needs blocks >= 1 (6 or 9 are usual), downsamplings >= 0 and width >= 1, "
                             f"got blocks={blocks}, downsamplings={downsamplings}, width={width}")
        self.in_channels, self.out_channels, self.downsamplings = in_channels, out_channels, downsamplings
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7), _norm(width), nn.ReLU(True)]
        for i in range(downsamplings):
            a, b = width * 2**i, width * 2 ** (i + 1)
            layers += [nn.Conv2d(a, b, 3, 2, 1), _norm(b), nn.ReLU(True)]
        inner = width * 2**downsamplings
        layers += [ResidualBlock(inner) for _ in range(blocks)]
        for i in reversed(range(downsamplings)):
            a, b = width * 2 ** (i + 1), width * 2**i
            layers += [nn.ConvTranspose2d(a, b, 3, 2, 1, output_padding=1), _norm(b), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)  # the papers' init: conv weights N(0, 0.02), biases 0 (the norms have no parameters)

    @property
    def stride_factor(self) -> int:
        """Input sides are padded to a multiple of this (2^downsamplings)."""
        return 2**self.downsamplings

    @property
    def min_size(self) -> int:
        """Smallest accepted side: 5 px for 2 downsamplings (padded to 8, a 2×2 bottleneck for reflection pad 1)."""
        # the 7×7 stem's reflection pad 3 needs a padded side >= 4; the blocks' pad 1 needs a bottleneck >= 2
        return min_input_size(self.stride_factor, max(4, 2 * self.stride_factor))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate images (N, in_channels, H, W) to (N, out_channels, H, W) in [-1, 1]."""
        h, w = x.shape[-2:]
        padded, top, left = pad_to_multiple(x, self.stride_factor, self.min_size, "ResnetGenerator")
        return crop(self.net(padded), top, left, h, w)
