"""pix2pix's U-Net generator (Isola et al. 2017, section 3.2.1 and appendix 6.1.1; after Ronneberger et al. 2015).

Encoder: `depth` 4×4 stride-2 convs with channels w, 2w, 4w, 8w, 8w, ... (capped at 8w), each followed by
norm and LeakyReLU(0.2), no norm on the outermost (the paper's erratum) nor on the innermost (its output is
1×1 at full depth, where instance statistics are undefined). Decoder: as many 4×4 stride-2 transposed convs
behind a plain ReLU, each followed by norm, with dropout 0.5 in the three innermost decoder layers (the
paper's CD512-CD1024-CD1024: dropout is pix2pix's only noise; the authors' code instead puts it in the
2nd-4th decoder layers and only for depth >= 6) and tanh at the output. Skips concatenate the encoder's
activations at each resolution with the decoder's before the next transposed conv.

Norm: InstanceNorm2d(affine=True, track_running_stats=False). The reference trains with BatchNorm at batch
size 1, and with the batch statistics it also uses at test time that *is* instance normalisation; instance
norm keeps that behaviour at any batch size. affine=True keeps BatchNorm's learned scale and shift, so a conv
followed by a norm has no bias. The paper also keeps dropout at test time: with instance norm, calling
`.train()` before inference turns dropout on and changes nothing else.

Any H×W input is accepted: it is reflection-padded to a multiple of 2^depth and the output cropped back
(see stride_padding). The default depth goes down to a 1×1 bottleneck: ceil(log2(size)).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.init import dcgan_init
from gankit.models.stride_padding import crop, min_input_size, pad_to_multiple

PIX2PIX_DEPTH = 8  # unet_256: 256 px down to 1×1


def unet_depth_for(size: int) -> int:
    """Depth whose bottleneck is 1×1 for a side of `size` px after padding: ceil(log2(size)) (5 for 28 or 32)."""
    if size < 2:
        raise ValueError(f"a U-Net needs images of at least 2 px, got {size}")
    return (size - 1).bit_length()


def _norm(channels: int) -> nn.InstanceNorm2d:
    return nn.InstanceNorm2d(channels, affine=True, track_running_stats=False)


def _encoder(in_channels: int, chans: list[int]) -> nn.ModuleList:
    """Layer i: conv 4×4/2, norm unless outermost or innermost, LeakyReLU(0.2) (ReLU at the bottleneck)."""
    layers = nn.ModuleList()
    depth = len(chans)
    for i, c in enumerate(chans):
        normed = 0 < i < depth - 1
        seq: list[nn.Module] = [nn.Conv2d(in_channels if i == 0 else chans[i - 1], c, 4, 2, 1, bias=not normed)]
        seq += [_norm(c)] if normed else []
        seq += [nn.ReLU(True) if i == depth - 1 else nn.LeakyReLU(0.2, True)]
        layers.append(nn.Sequential(*seq))
    return layers


def _decoder(out_channels: int, chans: list[int], dropout: bool) -> nn.ModuleList:
    """Innermost first: [ReLU,] convT 4×4/2, then norm (+ dropout in the first three) or, outermost, tanh."""
    layers = nn.ModuleList()
    depth = len(chans)
    for k, i in enumerate(reversed(range(depth))):  # i: the encoder level this layer undoes
        src = chans[i] if i == depth - 1 else 2 * chans[i]  # below the bottleneck: skip + upsampled features
        seq: list[nn.Module] = [] if i == depth - 1 else [nn.ReLU(True)]  # the bottleneck is ReLU'd already
        if i == 0:
            seq += [nn.ConvTranspose2d(src, out_channels, 4, 2, 1), nn.Tanh()]
        else:
            seq += [nn.ConvTranspose2d(src, chans[i - 1], 4, 2, 1, bias=False), _norm(chans[i - 1])]
            seq += [nn.Dropout(0.5)] if dropout and k < 3 else []
        layers.append(nn.Sequential(*seq))
    return layers


class UnetGenerator(nn.Module):
    """G(x) -> image in [-1, 1] of x's size: pix2pix's encoder-decoder with skip connections (Isola et al. 2017)."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 64, depth: int | None = None,
                 dropout: bool = True, size: int | None = None) -> None:
        super().__init__()
        if depth is None:
            depth = PIX2PIX_DEPTH if size is None else unet_depth_for(size)
        if depth < 1 or width < 1:
            raise ValueError(f"UnetGenerator needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
        self.in_channels, self.out_channels, self.depth = in_channels, out_channels, depth
        chans = [width * min(2**i, 8) for i in range(depth)]  # w, 2w, 4w, 8w, 8w, ...
        self.down = _encoder(in_channels, chans)
        self.up = _decoder(out_channels, chans, dropout)
        dcgan_init(self)  # conv weights N(0, 0.02), biases 0; dcgan_init leaves instance norm alone:
        for m in self.modules():
            if isinstance(m, nn.InstanceNorm2d) and m.affine:  # scale N(1, 0.02), shift 0, as for BatchNorm
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)

    @property
    def stride_factor(self) -> int:
        """Input sides are padded to a multiple of this (2^depth)."""
        return 2**self.depth

    @property
    def min_size(self) -> int:
        """Smallest accepted side: the reflection pad to 2^depth must be smaller than the side (12 px at depth 5)."""
        return min_input_size(self.stride_factor, self.stride_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate images (N, in_channels, H, W) to (N, out_channels, H, W) in [-1, 1]."""
        h, w = x.shape[-2:]
        y, top, left = pad_to_multiple(x, self.stride_factor, self.min_size, "UnetGenerator")
        skips = []
        for layer in self.down:
            y = layer(y)
            skips.append(y)
        skips.pop()  # the bottleneck feeds the decoder directly
        for layer in self.up:
            y = layer(y)
            if skips:
                y = torch.cat([skips.pop(), y], 1)
        return crop(y, top, left, h, w)
