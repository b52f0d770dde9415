"""Gradient penalties against closed forms on linear critics, autograd checks, and per-sample alpha."""

import math

import pytest
import torch

from gankit.losses.penalties import gradient_penalty, interpolate, r1_penalty, r2_penalty, roth_penalty
from gankit.utils.packing import pack

W = torch.tensor([[1.0, 2.0], [0.0, -2.0], [3.0, 0.0]], dtype=torch.float64)  # 3 samples of 2-D


def linear(w):
    return lambda x: x.flatten(1) @ w


def test_r1_of_constant_d_is_zero():
    x = torch.randn(5, 1, 4, 4, dtype=torch.float64)
    assert r1_penalty(lambda t: t.flatten(1).sum(1) * 0 + 3.0, x).item() == 0.0
    assert r2_penalty(lambda t: torch.zeros(len(t), dtype=t.dtype) + t.sum() * 0, x).item() == 0.0


def test_r1_r2_of_linear_d_is_squared_weight_norm():
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert r1_penalty(linear(w), W).item() == pytest.approx(25.0)
    assert r2_penalty(linear(w), W).item() == pytest.approx(25.0)


@pytest.mark.parametrize("norm, two_sided, one_sided", [(2.0, 1.0, 1.0), (0.5, 0.25, 0.0)])
def test_gradient_penalty_closed_form(norm, two_sided, one_sided):
    w = torch.tensor([norm, 0.0], dtype=torch.float64)
    real, fake = torch.randn(6, 2, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    assert gradient_penalty(linear(w), real, fake).item() == pytest.approx(two_sided)
    assert gradient_penalty(linear(w), real, fake, one_sided=True).item() == pytest.approx(one_sided)


def test_gp_alpha_is_drawn_once_per_sample():
    real = torch.zeros(64, 3, 4, 4)
    fake = torch.ones(64, 3, 4, 4)
    x_hat, alpha = interpolate(real, fake, torch.Generator().manual_seed(0))
    assert alpha.shape == (64, 1, 1, 1)
    # each interpolate is constant within its sample (one alpha) and the alphas differ across samples
    per_sample = x_hat.flatten(1)
    assert torch.allclose(per_sample, per_sample[:, :1].expand_as(per_sample))
    assert torch.allclose(per_sample[:, 0], 1 - alpha.flatten())
    assert alpha.flatten().unique().numel() == 64 and 0 <= alpha.min() and alpha.max() <= 1


def test_roth_closed_form_for_linear_critic():
    w = torch.tensor([1.0, -1.0], dtype=torch.float64)
    real, fake = W, W.flip(0)
    sig = torch.sigmoid
    expect = ((1 - sig(real @ w)) ** 2 * 2).mean() + (sig(fake @ w) ** 2 * 2).mean()
    assert roth_penalty(linear(w), real, fake).item() == pytest.approx(expect.item())


def test_penalties_are_differentiable_in_d_weights_gradcheck():
    x = torch.randn(4, 2, dtype=torch.float64)
    y = torch.randn(4, 2, dtype=torch.float64)

    def critic(w):
        return lambda t: torch.tanh(t @ w[:, :2].T).sum(1) * w[0, 2]

    w = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w: r1_penalty(critic(w), x), (w,))
    assert torch.autograd.gradcheck(lambda w: roth_penalty(critic(w), x, y), (w,))
    g = torch.Generator()
    assert torch.autograd.gradcheck(lambda w: gradient_penalty(critic(w), x, y, generator=g.manual_seed(1)), (w,))


def test_packed_critic_penalises_per_packed_input():
    # D judges 2 samples at once: ‖∇‖² is over the packed input, not per sample
    w = torch.tensor([1.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    r1 = r1_penalty(lambda x: pack(x, 2) @ w, torch.randn(6, 2, dtype=torch.float64))
    assert r1.item() == pytest.approx(4.0)
    assert math.isfinite(gradient_penalty(lambda x: pack(x, 2) @ w, W[:2], W[1:]).item())
