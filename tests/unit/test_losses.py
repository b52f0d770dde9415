"""Objectives against closed forms, the direction of their gradients, and gradcheck in float64."""

import math

import pytest
import torch

from gankit.errors import ConfigError
from gankit.losses.adversarial import OBJECTIVES, get_objective


def _sig(t):
    return 1 / (1 + math.exp(-t))


REAL = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
FAKE = torch.tensor([-3.0, 0.0], dtype=torch.float64)


def test_d_loss_is_eq1_negated():
    # L_D = -(mean log D(x) + mean log(1 - D(G(z))))
    expect = -(sum(math.log(_sig(r)) for r in REAL.tolist()) / 3 + sum(math.log(1 - _sig(f)) for f in FAKE.tolist()) / 2)
    for name in ("minimax", "nonsaturating"):
        assert OBJECTIVES[name].d(REAL, FAKE).item() == pytest.approx(expect, rel=1e-12)


def test_g_losses_closed_form():
    minimax = sum(math.log(1 - _sig(f)) for f in FAKE.tolist()) / 2
    nonsat = -sum(math.log(_sig(f)) for f in FAKE.tolist()) / 2
    assert OBJECTIVES["minimax"].g(FAKE, None).item() == pytest.approx(minimax, rel=1e-12)
    assert OBJECTIVES["nonsaturating"].g(FAKE, None).item() == pytest.approx(nonsat, rel=1e-12)


def test_equilibrium_value_is_two_log_two():
    zeros = torch.zeros(8, dtype=torch.float64)
    assert OBJECTIVES["minimax"].d(zeros, zeros).item() == pytest.approx(2 * math.log(2))


def test_stable_for_extreme_logits():
    big = torch.tensor([1e4, -1e4], dtype=torch.float64)
    for obj in OBJECTIVES.values():
        assert torch.isfinite(obj.d(big, big)) and torch.isfinite(obj.g(big, big))


@pytest.mark.parametrize("name", list(OBJECTIVES))
def test_gradient_directions(name):
    obj = OBJECTIVES[name]
    real = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    fake = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    obj.d(real, fake).backward()
    # descending L_D raises real logits and lowers fake logits
    assert (real.grad < 0).all() and (fake.grad > 0).all()
    fake_g = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    obj.g(fake_g, None).backward()
    # descending L_G makes fakes look more real
    assert (fake_g.grad < 0).all()


def test_minimax_saturates_where_nonsaturating_does_not():
    """Goodfellow 2014, section 3: when D confidently rejects fakes, eq. 1 gives G almost no gradient."""
    grads = {}
    for name in ("minimax", "nonsaturating"):
        f = torch.full((4,), -10.0, dtype=torch.float64, requires_grad=True)
        OBJECTIVES[name].g(f, None).backward()
        grads[name] = f.grad.abs().sum().item()
    assert grads["minimax"] < 1e-3 < grads["nonsaturating"]


@pytest.mark.parametrize("name", list(OBJECTIVES))
def test_gradcheck(name):
    obj = OBJECTIVES[name]
    real = torch.randn(5, dtype=torch.float64, requires_grad=True)
    fake = torch.randn(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda r, f: obj.d(r, f), (real, fake))
    assert torch.autograd.gradcheck(lambda f, r: obj.g(f, r), (fake, real))


def test_unknown_objective_lists_valid_ones():
    with pytest.raises(ConfigError, match="nonsaturating"):
        get_objective("vanilla")
