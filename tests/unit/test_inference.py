"""The CPU form of a generator: a few-channel transposed convolution as a convolution and a pixel shuffle."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from gankit.models.inference import ShuffledConvTranspose, for_cpu_sampling, rewritable


@pytest.mark.parametrize("c_in,c_out,size,bias", [(64, 1, 14, True), (8, 3, 7, False), (5, 4, 9, True), (3, 2, 1, True)])
def test_it_equals_the_transposed_convolution(c_in, c_out, size, bias):
    torch.manual_seed(0)
    layer = nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1, bias=bias)
    x = torch.randn(3, c_in, size, size + 2, requires_grad=True)
    fast = ShuffledConvTranspose(layer)
    y, z = layer(x), fast(x)
    assert z.shape == y.shape == (3, c_out, 2 * size, 2 * size + 4)
    torch.testing.assert_close(z, y, atol=1e-5, rtol=1e-5)
    (gy,) = torch.autograd.grad(y.square().sum(), x)  # gradients too: projection and PPL differentiate through G
    (gz,) = torch.autograd.grad(z.square().sum(), x)
    torch.testing.assert_close(gz, gy, atol=1e-4, rtol=1e-4)


def test_only_few_channel_k4_s2_p1_layers_are_rewritten():
    net = nn.Sequential(nn.ConvTranspose2d(100, 64, 7), nn.ConvTranspose2d(64, 32, 4, 2, 1),
                        nn.Sequential(nn.ConvTranspose2d(32, 3, 4, 2, 1), nn.Tanh()),
                        nn.ConvTranspose2d(3, 1, 4, 2, 1, output_padding=1), nn.ConvTranspose2d(3, 1, 3, 2, 1))
    assert [rewritable(m) for m in net] == [False, False, False, False, False]
    assert rewritable(net[2][0])
    x = torch.randn(2, 100, 1, 1)
    head = copy.deepcopy(net[:3])
    expected = head(x)
    fast = for_cpu_sampling(head)
    assert isinstance(fast[2][0], ShuffledConvTranspose) and type(fast[1]) is nn.ConvTranspose2d
    torch.testing.assert_close(fast(x), expected, atol=1e-5, rtol=1e-5)
