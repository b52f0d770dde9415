"""The CPU form of a generator: transposed convolutions as a matrix product and col2im, equal to the layers."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from gankit.models.inference import ProductConvTranspose, for_cpu_sampling, rewritable


@pytest.mark.parametrize("c_in,c_out,size,bias,kernel,stride,padding,out_pad", [
    (64, 1, 14, True, 4, 2, 1, 0), (8, 3, 7, False, 4, 2, 1, 0), (5, 4, 9, True, 4, 2, 1, 0), (3, 2, 1, True, 4, 2, 1, 0),
    (6, 3, 5, True, 3, 2, 1, 1), (4, 2, 6, False, 5, 3, 2, 0),  # odd kernels, output padding, stride 3
    (100, 16, 1, False, 7, 1, 0, 0), (10, 8, 1, True, 4, 1, 0, 0), (10, 8, 3, True, 4, 1, 0, 0),  # first layers
])
def test_it_equals_the_transposed_convolution(c_in, c_out, size, bias, kernel, stride, padding, out_pad):
    torch.manual_seed(0)
    layer = nn.ConvTranspose2d(c_in, c_out, kernel, stride=stride, padding=padding, output_padding=out_pad, bias=bias)
    x = torch.randn(3, c_in, size, size + (2 if size > 1 else 0), requires_grad=True)
    fast = ProductConvTranspose(layer)
    y, z = layer(x), fast(x)
    assert z.shape == y.shape
    torch.testing.assert_close(z, y, atol=1e-5, rtol=1e-5)
    (gy,) = torch.autograd.grad(y.square().sum(), x)  # gradients too: projection and PPL differentiate through G
    (gz,) = torch.autograd.grad(z.square().sum(), x)
    torch.testing.assert_close(gz, gy, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("size", [1, 4])
def test_a_dilated_layer_is_equal_too(size):
    torch.manual_seed(0)
    layer = nn.ConvTranspose2d(5, 3, 3, stride=2, padding=1, dilation=2)
    x = torch.randn(2, 5, size, size)
    torch.testing.assert_close(ProductConvTranspose(layer)(x), layer(x), atol=1e-5, rtol=1e-5)
    point = nn.ConvTranspose2d(5, 3, 3, dilation=2)  # a 1×1 input spreads over a 5×5 output with gaps
    torch.testing.assert_close(ProductConvTranspose(point)(x), point(x), atol=1e-5, rtol=1e-5)


def test_the_first_and_the_few_channel_layers_are_rewritten_and_wide_ones_kept():
    net = nn.Sequential(nn.ConvTranspose2d(100, 64, 7), nn.ConvTranspose2d(64, 32, 4, 2, 1),
                        nn.Sequential(nn.ConvTranspose2d(32, 3, 4, 2, 1), nn.Tanh()),
                        nn.ConvTranspose2d(3, 1, 4, 2, 1, groups=1, padding_mode="zeros"),
                        nn.ConvTranspose2d(6, 2, 4, 2, 1, groups=2), nn.Conv2d(3, 1, 3))
    assert [rewritable(m) for m in net] == [True, False, False, True, False, False]
    assert rewritable(net[2][0])
    x = torch.randn(2, 100, 1, 1)
    head = copy.deepcopy(net[:3])
    expected = head(x)
    fast = for_cpu_sampling(head)
    assert isinstance(fast[0], ProductConvTranspose) and isinstance(fast[2][0], ProductConvTranspose)
    assert type(fast[1]) is nn.ConvTranspose2d
    torch.testing.assert_close(fast(x), expected, atol=1e-5, rtol=1e-5)
