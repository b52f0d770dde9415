"""Faster CPU sampling with the same maths: a transposed convolution as a matrix product and a col2im.

A ConvTranspose2d is, by definition, a matrix product followed by col2im: each input pixel's C_in
values times the weight (C_in × C_out·kH·kW) give the C_out·kH·kW values it adds to a kH×kW patch
of the output, and the patches of neighbouring pixels overlap and sum (torch's F.fold). oneDNN runs
two of DCGAN's transposed convolutions far below the CPU's speed, and the product form recovers it:
- the first layer, kernel k, stride 1, no padding, on z as an N×C×1×1 input: one GEMM of the whole
  batch, N×C_in times C_in×(C_out·k·k), with no col2im at all;
- the image layer, which writes one to four channels: oneDNN vectorises over output channels and
  has almost none to work with; a batched GEMM and F.fold run it several times faster.
Wide up-sampling layers keep their form: there the product's patches (C_out·16 values per input
pixel) make col2im a pass over a tensor 16× the output, and oneDNN's own kernel is faster.
bench.sample times each layer both ways (docs/benchmarks.md). Outputs equal the transposed convolution's up to float rounding,
which may differ in the last bits with the batch's size; gradients flow as through the layer.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MAX_CHANNELS = 4  # a strided layer is rewritten when it writes at most this many channels (grey, RGB, RGBA)


class ProductConvTranspose(nn.Module):
    """ConvTranspose2d (groups 1, zero padding) as a matrix product and col2im; input N×C_in×H×W as the layer's."""

    def __init__(self, layer: nn.ConvTranspose2d) -> None:
        super().__init__()
        w = layer.weight.detach()  # C_in × C_out × kH × kW
        self.c_out = w.shape[1]
        self.kernel, self.stride, self.padding = layer.kernel_size, layer.stride, layer.padding
        self.dilation, self.output_padding = layer.dilation, layer.output_padding
        self.weight = nn.Parameter(w.reshape(w.shape[0], -1).t().contiguous(), requires_grad=False)  # C_out·k·k × C_in
        self.bias = None if layer.bias is None else nn.Parameter(layer.bias.detach().clone(), requires_grad=False)

    def _size(self, n: int, axis: int) -> int:
        s, p, d, k, o = (v[axis] for v in (self.stride, self.padding, self.dilation, self.kernel, self.output_padding))
        return (n - 1) * s - 2 * p + d * (k - 1) + o + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The layer's output, N×C_out×H'×W'."""
        n, _, h, w = x.shape
        if h == w == 1 and self.padding == self.output_padding == (0, 0) and self.dilation == (1, 1):  # one GEMM
            out = (x.flatten(1) @ self.weight.t()).view(n, self.c_out, *self.kernel)
        else:
            cols = torch.matmul(self.weight, x.reshape(n, x.shape[1], h * w))  # N × C_out·k·k × H·W
            out = F.fold(cols, (self._size(h, 0), self._size(w, 1)), self.kernel, dilation=self.dilation,
                         padding=self.padding, stride=self.stride)
        return out if self.bias is None else out + self.bias.view(1, -1, 1, 1)


def rewritable(layer: nn.Module) -> bool:
    """Whether a layer is a plain transposed convolution that is the first layer (stride 1, no padding) or
    writes at most MAX_CHANNELS channels."""
    if type(layer) is not nn.ConvTranspose2d or layer.groups != 1 or layer.padding_mode != "zeros":
        return False
    point = layer.stride == (1, 1) and layer.padding == (0, 0) and layer.output_padding == (0, 0)
    return point or layer.out_channels <= MAX_CHANNELS


def for_cpu_sampling(net: nn.Module) -> nn.Module:
    """`net` with its rewritable layers replaced in place (same attributes, same outputs); returns it."""
    for name, child in list(net.named_children()):
        if rewritable(child):
            setattr(net, name, ProductConvTranspose(child).to(child.weight.device))
        else:
            for_cpu_sampling(child)
    return net
