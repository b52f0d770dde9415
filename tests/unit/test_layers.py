"""Shared layers: spectral norm, minibatch standard deviation, packing."""

import pytest
import torch
from torch import nn

from gankit.nn.layers import MinibatchStd, apply_spectral_norm
from gankit.utils.packing import pack


def test_spectral_norm_brings_largest_singular_value_to_one():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Sequential(nn.Conv2d(3, 8, 3)))
    with torch.no_grad():
        net[0].weight.mul_(5)
    net = apply_spectral_norm(net)
    before = torch.linalg.matrix_norm(net[0].parametrizations.weight.original, 2)
    assert before > 1.5  # the raw weight is not normalised
    for _ in range(30):  # power iteration runs once per training-mode forward
        net[0](torch.randn(4, 20))
        net[2][0](torch.randn(1, 3, 8, 8))
    net.eval()
    assert torch.linalg.matrix_norm(net[0].weight, 2).item() == pytest.approx(1.0, abs=1e-3)
    conv_w = net[2][0].weight.reshape(8, -1)
    assert torch.linalg.matrix_norm(conv_w, 2).item() == pytest.approx(1.0, abs=1e-3)


def test_minibatch_std_values():
    x = torch.tensor([[0.0, 0.0], [2.0, 4.0], [1.0, 1.0], [1.0, 1.0]])
    out = MinibatchStd(group_size=2)(x)
    assert out.shape == (4, 3)
    # groups pair samples (0, 2) and (1, 3): stds per feature (0.5, 0.5) and (0.5, 1.5), mean 0.5 and 1.0
    assert out[:, 2].tolist() == pytest.approx([0.5, 1.0, 0.5, 1.0], abs=1e-4)
    img = MinibatchStd()(torch.randn(6, 3, 4, 4))
    assert img.shape == (6, 4, 4, 4) and torch.all(img[:, 3] == img[:, 3, :1, :1])
    assert MinibatchStd()(torch.randn(1, 5)).shape == (1, 6)  # a batch of one works


def test_pack_shapes_and_order():
    x = torch.arange(12.0).reshape(6, 2)
    assert pack(x, 3).tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    assert pack(torch.zeros(4, 3, 8, 8), 2).shape == (2, 6, 8, 8)
    with pytest.raises(ValueError, match="divisible"):
        pack(torch.zeros(5, 2), 2)
