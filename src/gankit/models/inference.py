"""Faster CPU sampling with the same maths: a transposed convolution that writes few channels, rewritten as a
convolution and a pixel shuffle.

A ConvTranspose2d with kernel 4, stride 2 and padding 1 (DCGAN's up-sampling) computes each of the
four output phases (even/odd row × even/odd column) from a 2×2 window of the input. So it equals
a Conv2d with a 3×3 kernel and four times the output channels, whose weights are the transposed
kernel's taps (zeros elsewhere), followed by pixel_shuffle(2) (Shi et al. 2016). oneDNN runs a
transposed convolution with one or three output channels far below its speed on wide layers, and
the rewrite recovers it (docs/benchmarks.md, bench.sample). Wide layers stay as they are, since
there the rewrite's extra zero taps cost more than it saves. Outputs equal the transposed
convolution's up to float rounding, which may differ in the last bits with the batch's size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MAX_CHANNELS = 4  # rewritten when it writes at most this many channels: the image layers (grey, RGB, RGBA)
# for output phase a (0: even, 1: odd), the 3×3 kernel's tap t (input offset t - 1) -> the transposed kernel's index
TAPS = {0: {0: 3, 1: 1}, 1: {1: 2, 2: 0}}


class ShuffledConvTranspose(nn.Module):
    """ConvTranspose2d(kernel 4, stride 2, padding 1) as Conv2d(kernel 3, padding 1) + pixel_shuffle(2).

    Input N×C_in×H×W, output N×C_out×2H×2W, equal to the transposed convolution's up to float rounding.
    """

    def __init__(self, layer: nn.ConvTranspose2d) -> None:
        super().__init__()
        w = layer.weight.detach()  # C_in × C_out × 4 × 4
        c_in, c_out = w.shape[:2]
        kernel = w.new_zeros(c_out, 2, 2, c_in, 3, 3)
        for a, rows in TAPS.items():
            for b, cols in TAPS.items():
                for ty, ky in rows.items():
                    for tx, kx in cols.items():
                        kernel[:, a, b, :, ty, tx] = w[:, :, ky, kx].t()
        self.weight = nn.Parameter(kernel.reshape(4 * c_out, c_in, 3, 3), requires_grad=False)
        bias = None if layer.bias is None else layer.bias.detach().repeat_interleave(4)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The up-sampled output, N×C_out×2H×2W."""
        return F.pixel_shuffle(F.conv2d(x, self.weight, self.bias, padding=1), 2)


def rewritable(layer: nn.Module) -> bool:
    """Whether a layer is a plain k4/s2/p1 transposed convolution writing at most MAX_CHANNELS channels."""
    return (type(layer) is nn.ConvTranspose2d and layer.kernel_size == (4, 4) and layer.stride == (2, 2)
            and layer.padding == (1, 1) and layer.output_padding == (0, 0) and layer.dilation == (1, 1)
            and layer.groups == 1 and layer.out_channels <= MAX_CHANNELS and layer.padding_mode == "zeros")


def for_cpu_sampling(net: nn.Module) -> nn.Module:
    """`net` with its rewritable layers replaced in place (same attributes, same outputs); returns it."""
    for name, child in list(net.named_children()):
        if rewritable(child):
            setattr(net, name, ShuffledConvTranspose(child).to(child.weight.device))
        else:
            for_cpu_sampling(child)
    return net
