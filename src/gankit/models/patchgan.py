"""The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017, section 3.2.2 and appendix 6.1.2).

C64-C128-C256-C512 for `layers=3`: `layers` 4×4 stride-2 convs (channels w, 2w, 4w, ... capped at 8w; no norm
on the first), a stride-1 4×4 conv with twice the last channels (capped at 8w), each followed by
InstanceNorm2d(affine=False) and LeakyReLU(0.2), and a stride-1 4×4 conv to one channel. Its output is a map
of raw logits, N×1×h×w, each judging one receptive-field-sized patch (70×70 for layers=3; larger means "more
real", gankit's one sign convention); a loss averages over the map. As in the authors' code the convs before
the affine-free norm keep their biases, which matches their parameter count (2,764,737 for RGB at width 64).

For pix2pix the discriminator is conditional: it sees the input image and the (real or translated) output
together, so build it with in_channels = input channels + output channels and concatenate the two along
the channel axis before calling it. CycleGAN's discriminators see one domain's images alone.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.init import dcgan_init

PAPER_LAYERS = 3  # the 70×70 PatchGAN


def _geometry(layers: int) -> list[tuple[int, int]]:
    """(kernel, stride) of every conv, first to last."""
    return [(4, 2)] * layers + [(4, 1), (4, 1)]


def patch_receptive_field(layers: int) -> int:
    """Side of the input patch one output logit sees: 16, 34, 70 for 1, 2, 3 layers (9·2^layers - 2)."""
    field, jump = 1, 1
    for kernel, stride in _geometry(layers):
        field += (kernel - 1) * jump
        jump *= stride
    return field


def patch_output_size(size: int, layers: int) -> int:
    """Side of the logit map for a side of `size` px: size // 2^layers - 2 (each 4×4 conv has padding 1)."""
    return size // 2**layers - 2


def patch_layers_for(size: int) -> int:
    """Stride-2 layers for `size` px images: the most (up to 3) whose receptive field fits the image and whose map is >= 2×2.

    1 for 28 and 32 px (16×16 patches), 2 for 34-69 px (34×34), 3 for 70 px and up (the paper's 70×70).
    """
    if patch_output_size(size, 1) < 2:
        raise ValueError(f"a PatchGAN needs images of at least 8 px for a 2×2 logit map, got {size}")
    fits = [n for n in range(1, PAPER_LAYERS + 1)
            if patch_receptive_field(n) <= size and patch_output_size(size, n) >= 2]
    return max(fits, default=1)


class PatchDiscriminator(nn.Module):
    """D(x) -> logits (N, 1, h, w), one per overlapping patch (pix2pix / CycleGAN's PatchGAN)."""

    def __init__(self, in_channels: int, width: int = 64, layers: int = PAPER_LAYERS) -> None:
        super().__init__()
        if layers < 1 or width < 1:
            raise ValueError(f"PatchDiscriminator needs layers >= 1 and width >= 1, got layers={layers}, width={width}; "
                             f"patch_layers_for(size) picks the layers for an image size")
        self.in_channels, self.layers = in_channels, layers
        chans = [width * min(2**i, 8) for i in range(layers + 1)]
        seq: list[nn.Module] = [nn.Conv2d(in_channels, chans[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for i in range(1, layers + 1):
            stride = 2 if i < layers else 1
            seq += [nn.Conv2d(chans[i - 1], chans[i], 4, stride, 1), _norm(chans[i]), nn.LeakyReLU(0.2, True)]
        seq.append(nn.Conv2d(chans[-1], 1, 4, 1, 1))
        self.net = nn.Sequential(*seq)
        dcgan_init(self)  # conv weights N(0, 0.02), biases 0

    @property
    def receptive_field(self) -> int:
        """Side of the patch each logit judges."""
        return patch_receptive_field(self.layers)

    @property
    def min_size(self) -> int:
        """Smallest accepted side: 3·2^layers px (a 1×1 map; instance norm needs its maps larger than 1×1)."""
        return 3 * 2**self.layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw logits (N, 1, h, w) for images (N, in_channels, H, W); h = H // 2^layers - 2."""
        h, w = x.shape[-2:]
        if min(h, w) < self.min_size:
            raise ValueError(f"PatchDiscriminator with {self.layers} layers needs images of at least "
                             f"{self.min_size}×{self.min_size} px, got {h}×{w}; use fewer layers (patch_layers_for)")
        return self.net(x)


def _norm(channels: int) -> nn.InstanceNorm2d:
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
