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


R2 = torch.tensor([2.0, -1.0], dtype=torch.float64)
F2 = torch.tensor([-3.0, 0.5], dtype=torch.float64)


def _ls(t):
    return math.log(_sig(t))


@pytest.mark.parametrize(
    "name, d_expect, g_expect",
    [
        # WGAN (Arjovsky 2017): L_D = E[D(fake)] - E[D(real)], L_G = -E[D(fake)]
        ("wgan", (-3 + 0.5) / 2 - (2 - 1) / 2, -(-3 + 0.5) / 2),
        ("wgan-gp", (-3 + 0.5) / 2 - (2 - 1) / 2, -(-3 + 0.5) / 2),
        # LSGAN (Mao 2017): ½E[(D(x)-1)²] + ½E[D(G(z))²]; G: ½E[(D(G(z))-1)²]
        ("lsgan", 0.5 * ((2 - 1) ** 2 + (-1 - 1) ** 2) / 2 + 0.5 * (9 + 0.25) / 2, 0.5 * ((-4) ** 2 + (-0.5) ** 2) / 2),
        # hinge: E[relu(1 - real)] + E[relu(1 + fake)]; G: -E[fake]
        ("hinge", (0 + 2) / 2 + (0 + 1.5) / 2, -(-3 + 0.5) / 2),
        # RSGAN: -E[log σ(r_i - f_i)]; G: -E[log σ(f_i - r_i)]
        ("rsgan", -(_ls(2 + 3) + _ls(-1 - 0.5)) / 2, -(_ls(-3 - 2) + _ls(0.5 + 1)) / 2),
        # RaGAN: -E[log σ(r - mean f)] - E[log(1 - σ(f - mean r))]; G swaps the roles
        ("ragan", -(_ls(2 + 1.25) + _ls(-1 + 1.25)) / 2 - (_ls(-(-3 - 0.5)) + _ls(-(0.5 - 0.5))) / 2,
         -(_ls(-3 - 0.5) + _ls(0.5 - 0.5)) / 2 - (_ls(-(2 + 1.25)) + _ls(-(-1 + 1.25))) / 2),
    ],
)
def test_successor_objectives_closed_form(name, d_expect, g_expect):
    obj = OBJECTIVES[name]
    assert obj.d(R2, F2).item() == pytest.approx(d_expect, rel=1e-12)
    assert obj.g(F2, R2).item() == pytest.approx(g_expect, rel=1e-12)


def test_relativistic_needs_real_logits():
    with pytest.raises(ValueError, match="relativistic"):
        OBJECTIVES["rsgan"].g(F2, None)
    assert OBJECTIVES["ragan"].needs_real_for_g and not OBJECTIVES["hinge"].needs_real_for_g


def test_g_losses_closed_form():
    minimax = sum(math.log(1 - _sig(f)) for f in FAKE.tolist()) / 2
    nonsat = -sum(math.log(_sig(f)) for f in FAKE.tolist()) / 2
    assert OBJECTIVES["minimax"].g(FAKE, None).item() == pytest.approx(minimax, rel=1e-12)
    assert OBJECTIVES["nonsaturating"].g(FAKE, None).item() == pytest.approx(nonsat, rel=1e-12)


def test_equilibrium_value_is_two_log_two():
    zeros = torch.zeros(8, dtype=torch.float64)
    assert OBJECTIVES["minimax"].d(zeros, zeros).item() == pytest.approx(2 * math.log(2))


def test_stable_for_extreme_logits():
    big = torch.tensor([1e4, -1e4], dtype=torch.float32)
    for obj in OBJECTIVES.values():
        assert torch.isfinite(obj.d(big, big)) and torch.isfinite(obj.g(big, big))


@pytest.mark.parametrize("name", list(OBJECTIVES))
def test_gradient_directions(name):
    obj = OBJECTIVES[name]
    real = torch.full((4,), 0.25, dtype=torch.float64, requires_grad=True)
    fake = torch.full((4,), 0.25, dtype=torch.float64, requires_grad=True)
    obj.d(real, fake).backward()
    # descending L_D raises real logits and lowers fake logits
    assert (real.grad < 0).all() and (fake.grad > 0).all()
    fake_g = torch.full((4,), 0.25, dtype=torch.float64, requires_grad=True)
    obj.g(fake_g, torch.full((4,), 0.25, dtype=torch.float64)).backward()
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
    real = torch.randn(4, dtype=torch.float64, requires_grad=True)
    fake = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda r, f: obj.d(r, f), (real, fake))
    assert torch.autograd.gradcheck(lambda f, r: obj.g(f, r), (fake, real))


def test_unknown_objective_lists_valid_ones():
    with pytest.raises(ConfigError) as e:
        get_objective("vanilla")
    for name in ("minimax", "nonsaturating", "wgan", "wgan-gp", "lsgan", "hinge", "rsgan", "ragan"):
        assert name in str(e.value)
