"""One generic contract for every registered model family, with no per-class branches."""

import pytest
import torch

from gankit.models.registry import MODELS, build_models

SHAPES = {"mlp": [(2,), (1, 8, 8)], "dcgan": [(1, 28, 28), (3, 32, 32), (1, 64, 64)],
          "stylegan2": [(1, 32, 32), (3, 32, 32)]}
SIZES = dict(z_dim=8, g_width=8, d_width=8, g_depth=2, d_depth=2)
CASES = [(arch, shape) for arch in MODELS for shape in SHAPES[arch]]


def test_every_family_is_covered():
    assert set(SHAPES) == set(MODELS)


@pytest.mark.parametrize("arch, shape", CASES)
def test_shapes_and_range(arch, shape):
    G, D = build_models(arch, shape, **SIZES)
    for n in (1, 5):  # a batch of one works
        x = G(torch.randn(n, 8))
        assert x.shape == (n, *shape)
        if len(shape) == 3:
            assert x.min() >= -1 and x.max() <= 1
        assert D(x).shape == (n,)


@pytest.mark.parametrize("arch, shape", CASES)
def test_every_parameter_gets_a_gradient(arch, shape):
    G, D = build_models(arch, shape, **SIZES)
    D(G(torch.randn(4, 8))).sum().backward()
    for name, p in list(G.named_parameters()) + list(D.named_parameters()):
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize("arch, shape", CASES)
def test_seeded_determinism_and_state_round_trip(arch, shape):
    torch.manual_seed(1)
    G1, D1 = build_models(arch, shape, **SIZES)
    torch.manual_seed(1)
    G2, D2 = build_models(arch, shape, **SIZES)
    z = torch.randn(3, 8)
    G1.eval(), G2.eval(), D1.eval(), D2.eval()
    assert torch.equal(G1(z), G2(z))
    torch.manual_seed(99)
    G3, D3 = build_models(arch, shape, **SIZES)
    G3.load_state_dict(G1.state_dict())
    D3.load_state_dict(D1.state_dict())
    G3.eval(), D3.eval()
    assert torch.equal(G3(z), G1(z)) and torch.equal(D3(G1(z)), D1(G1(z)))


def test_dcgan_init_is_stated_normal_002():
    G, D = build_models("dcgan", (1, 64, 64), z_dim=100, g_width=64, d_width=64, g_depth=1, d_depth=1)
    w = torch.cat([m.weight.flatten() for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)])
    assert abs(w.std().item() - 0.02) < 0.001 and abs(w.mean().item()) < 0.001


def test_dcgan_refuses_unsupported_size():
    with pytest.raises(ValueError, match="28, 32, 64"):
        build_models("dcgan", (1, 48, 48), **SIZES)


# ---------------------------------------------------------------- class-conditional variants
from gankit.models.conditioning import CLASSIFYING, D_MODES, G_MODES  # noqa: E402

K = 3
COND_CASES = [
    (arch, shape, g, d)
    for arch in MODELS
    for shape in SHAPES[arch][:2]
    for g in G_MODES[1:]
    for d in D_MODES[1:]
    if not (arch == "mlp" and g == "cbn")
    and not (arch == "stylegan2" and (g != "embed" or d != "projection"))  # its only conditional pair
]


def _cond_pair(arch, shape, g, d):
    return build_models(arch, shape, num_classes=K, cond_g=g, cond_d=d, embed_dim=4, **SIZES)


def _judge(D, x, c):
    logits, aux = D.forward_aux(x, c)
    return logits.sum() + (aux.sum() if aux is not None else 0)


def test_every_conditioning_mode_is_covered():
    archs_modes = {(a, g, d) for a, _, g, d in COND_CASES}
    assert {g for _, g, _ in archs_modes} == set(G_MODES[1:]) and {d for _, _, d in archs_modes} == set(D_MODES[1:])


@pytest.mark.parametrize("arch, shape, g, d", COND_CASES)
def test_conditional_shapes_gradients_and_refusals(arch, shape, g, d):
    G, D = _cond_pair(arch, shape, g, d)
    for n in (1, 5):
        c = torch.arange(n) % K
        x = G(torch.randn(n, 8), c)
        assert x.shape == (n, *shape)
        logits, aux = D.forward_aux(x, c)
        assert logits.shape == (n,) and torch.equal(D(x, c), logits)
        assert (aux is None) == (d not in CLASSIFYING) and (aux is None or aux.shape == (n, K))
    G.zero_grad(), D.zero_grad()
    c = torch.tensor([0, 1, 2, 0])
    _judge(D, G(torch.randn(4, 8), c), c).backward()
    for name, p in list(G.named_parameters()) + list(D.named_parameters()):
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match="conditional"):
        G(torch.randn(2, 8))
    with pytest.raises(ValueError, match=r"lie in \[0, 2\]"):
        G(torch.randn(2, 8), torch.tensor([0, 3]))


@pytest.mark.parametrize("arch, shape, g, d", COND_CASES)
def test_one_hot_weights_equal_integer_labels(arch, shape, g, d):
    """A class-weight vector that is one-hot gives exactly what the integer label gives (arithmetic relies on it)."""
    G, D = _cond_pair(arch, shape, g, d)
    G.eval(), D.eval()
    z, c = torch.randn(3, 8), torch.tensor([2, 0, 1])
    onehot = torch.nn.functional.one_hot(c, K).float()
    assert torch.allclose(G(z, c), G(z, onehot), atol=1e-6)
    x = G(z, c)
    assert torch.allclose(D(x, c), D(x, onehot), atol=1e-6)


@pytest.mark.parametrize("arch, shape, g, d", COND_CASES[:: max(1, len(COND_CASES) // 6)])
def test_conditional_state_round_trip(arch, shape, g, d):
    torch.manual_seed(1)
    G1, D1 = _cond_pair(arch, shape, g, d)
    torch.manual_seed(2)
    G2, D2 = _cond_pair(arch, shape, g, d)
    G2.load_state_dict(G1.state_dict()), D2.load_state_dict(D1.state_dict())
    for m in (G1, G2, D1, D2):
        m.eval()
    z, c = torch.randn(3, 8), torch.tensor([0, 1, 2])
    assert torch.equal(G1(z, c), G2(z, c)) and torch.equal(D1(G1(z, c), c), D2(G1(z, c), c))
