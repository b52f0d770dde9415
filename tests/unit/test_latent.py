"""Latent tools: interpolation paths, truncation, the arithmetic grammar, class names."""

import math

import pytest
import torch

from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.errors import ConfigError
from gankit.latent import interpolate, lerp, parse_expression, resolve_class, slerp, truncate


@pytest.mark.parametrize("mode", ["lerp", "slerp"])
def test_interpolation_hits_both_endpoints_exactly(mode):
    a, b = torch.randn(64), torch.randn(64) * 3
    path = interpolate(a, b, 7, mode)
    assert path.shape == (7, 64)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)


def test_slerp_keeps_the_norm_profile():
    """The norm moves linearly from |a| to |b|; lerp's midpoint falls inside the prior's shell."""
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(128, generator=g), 2 * torch.randn(128, generator=g)
    t = torch.linspace(0, 1, 11, dtype=torch.float64)
    norms = slerp(a, b, t).norm(dim=1)
    expected = a.norm() + t.float() * (b.norm() - a.norm())
    assert torch.allclose(norms, expected, rtol=1e-5)
    c = torch.randn(128, generator=g) * a.norm() / torch.randn(128, generator=g).norm()
    c = c / c.norm() * a.norm()  # equal norms: slerp stays on the sphere, lerp cuts through it
    mid_slerp = slerp(a, c, torch.tensor([0.5]))[0].norm()
    mid_lerp = lerp(a, c, torch.tensor([0.5]))[0].norm()
    assert mid_slerp == pytest.approx(float(a.norm()), rel=1e-5)
    assert mid_lerp < 0.8 * a.norm()  # nearly orthogonal in 128-D: about |a|/√2


def test_slerp_closed_form_on_orthogonal_unit_vectors():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    p = slerp(a, b, torch.tensor([1 / 3]))[0]  # angle π/6 along the quarter circle
    assert torch.allclose(p, torch.tensor([math.cos(math.pi / 6), math.sin(math.pi / 6)]), atol=1e-6)


def test_slerp_of_parallel_vectors_does_not_divide_by_zero():
    a = torch.ones(8)
    path = slerp(a, 2 * a, torch.linspace(0, 1, 5))
    assert torch.isfinite(path).all() and torch.allclose(path[2], 1.5 * a)


def test_interpolate_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least 2"):
        interpolate(torch.zeros(3), torch.ones(3), 1)
    with pytest.raises(ValueError, match="lerp' or 'slerp"):
        interpolate(torch.zeros(3), torch.ones(3), 3, "cubic")


def test_truncation_psi_zero_gives_the_mean_and_one_is_identity():
    z = torch.randn(5, 16)
    assert torch.equal(truncate(z, 0.0), torch.zeros_like(z))
    mean = torch.randn(16)
    assert torch.allclose(truncate(z, 0.0, mean), mean.expand_as(z))
    assert torch.equal(truncate(z, 1.0), z)
    assert torch.allclose(truncate(z, 0.5, mean), mean + 0.5 * (z - mean))
    for bad in (-0.1, 1.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            truncate(z, bad)


def test_parse_expression_reads_signed_multiword_and_hyphenated_classes():
    terms = parse_expression("Sneaker - Sandal + Ankle boot", CLASS_NAMES)
    assert [(t.sign, CLASS_NAMES[t.cls], t.seeds) for t in terms] == [
        (1, "Sneaker", None), (-1, "Sandal", None), (1, "Ankle boot", None)]
    terms = parse_expression("t-shirt/top-Trouser[3, 17]+[5]", CLASS_NAMES)
    assert [(t.sign, t.cls, t.seeds) for t in terms] == [(1, 0, None), (-1, 1, [3, 17]), (1, None, [5])]
    assert parse_expression("- Bag", CLASS_NAMES)[0].sign == -1


@pytest.mark.parametrize("text, pos, what", [
    ("Sneaker * Sandal", 9, "expected '+' or '-'"),
    ("Sneaker - ", 11, "ends with an operator"),
    ("Sneaker + Snekaer", 11, "expected a class name"),
    ("Bag[1,x]", 5, "seeds must be"),
    ("Bag[1,2", 4, "not closed"),
    ("   ", 1, "empty"),
])
def test_parse_errors_point_at_the_character(text, pos, what):
    with pytest.raises(ConfigError) as e:
        parse_expression(text, CLASS_NAMES)
    msg = str(e.value)
    assert f"character {pos}" in msg and what in msg
    caret_line = msg.splitlines()[-1]
    assert caret_line.index("^") - 2 == pos - 1  # two spaces of indent, then the caret under the character


def test_resolve_class_by_name_or_index_and_unknown_lists_valid():
    assert resolve_class("sneaker", CLASS_NAMES) == 7
    assert resolve_class(9, CLASS_NAMES) == 9 and resolve_class("9", CLASS_NAMES) == 9
    with pytest.raises(ConfigError, match="Did you mean 'Sneaker'.*7='Sneaker'"):
        resolve_class("Sneakers", CLASS_NAMES)
    with pytest.raises(ConfigError, match="out of range"):
        resolve_class(10, CLASS_NAMES)


def test_class_weights_projected_onto_the_simplex():
    from gankit.latent.codes import to_simplex

    assert torch.equal(to_simplex(torch.tensor([1.0, -1, 1, 0])), torch.tensor([0.5, 0, 0.5, 0]))
    assert torch.equal(to_simplex(torch.tensor([0.0, 1, 0])), torch.tensor([0.0, 1, 0]))  # already a class
    assert torch.allclose(to_simplex(torch.zeros(4)), torch.full((4,), 0.25))  # everything cancelled: uniform
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # the Dirichlet draws
    for _ in range(20):  # the nearest point: no point of the simplex is closer (against random ones)
        c = 3 * torch.randn(6, generator=g)
        p = to_simplex(c)
        assert p.min() >= 0 and torch.isclose(p.sum(), torch.tensor(1.0))
        others = torch.distributions.Dirichlet(torch.ones(6)).sample((500,))
        assert (c - p).norm() <= (c - others).norm(dim=1).min() + 1e-6
