"""Jacobian rejection: the generator's stretch ‖∂G/∂z‖_F, its thresholds, and what is refused."""

import numpy as np
import pytest
import torch

from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.sampling.jacobian import EXACT_MAX_DIM, check_jacobian_reject, jacobian_norms, stretch_thresholds


def _mlp(d_in, d_out, seed=0, cond=0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(d_in + cond, 16), torch.nn.Tanh(), torch.nn.Linear(16, d_out)).double()
    if cond:
        return lambda z, c: net(torch.cat([z, c], 1))
    return lambda z, c: net(z)


@pytest.mark.parametrize("d_in, d_out", [(2, 2), (5, 3), (EXACT_MAX_DIM, 4)])
def test_exact_norms_match_autograd_jacobians(d_in, d_out):
    fn = _mlp(d_in, d_out)
    z = torch.randn(7, d_in, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    want = [torch.autograd.functional.jacobian(lambda t: fn(t[None], None)[0], row).norm().item() for row in z]
    assert jacobian_norms(fn, z, batch_size=3).tolist() == pytest.approx(want, rel=1e-6)


def test_a_conditional_map_is_differentiated_in_z_only():
    fn = _mlp(3, 2, cond=2)
    z = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    c = torch.randn(5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    want = [torch.autograd.functional.jacobian(lambda t, ci=ci: fn(t[None], ci[None])[0], zi).norm().item()
            for zi, ci in zip(z, c)]
    assert jacobian_norms(fn, z, c).tolist() == pytest.approx(want, rel=1e-6)


def test_large_latents_use_an_unbiased_estimate_over_probe_directions():
    """For a linear map z ↦ Az the norm is ‖A‖_F everywhere; Hutchinson's estimate converges to it."""
    a = torch.randn(6, 40, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    fn = lambda z, c: z @ a.T
    z = torch.zeros(2, 40, dtype=torch.float64)
    exact = a.norm().item()
    many = jacobian_norms(fn, z, probes=4000)
    assert many.tolist() == pytest.approx([exact, exact], rel=0.03)
    few = torch.stack([jacobian_norms(fn, z[:1], probes=8, seed=s) for s in range(200)])
    assert few.std() > 0.01 * exact  # a different estimate per probe seed, unbiased in the square
    assert few.pow(2).mean().sqrt().item() == pytest.approx(exact, rel=0.05)
    with pytest.raises(ValueError, match="at least one probe"):
        jacobian_norms(fn, z, probes=0)


def test_norms_are_computed_under_no_grad_too():
    fn = _mlp(2, 2)
    z = torch.randn(4, 2, dtype=torch.float64)
    with torch.no_grad():
        inside = jacobian_norms(fn, z)
    assert torch.equal(inside, jacobian_norms(fn, z)) and (inside > 0).all()


def test_threshold_is_the_upper_quantile_of_the_reference_norms_per_class():
    g = torch.Generator().manual_seed(0)
    norms, labels = torch.rand(1000, generator=g), torch.arange(1000) % 3
    one = stretch_thresholds(norms, 0.1)
    assert one.shape == (1,) and one.item() == pytest.approx(np.quantile(norms.numpy(), 0.9), abs=1e-6)
    per = stretch_thresholds(norms, 0.1, labels, num_classes=3)
    assert per.tolist() == pytest.approx([np.quantile(norms[labels == c].numpy(), 0.9) for c in range(3)], abs=1e-6)
    with pytest.raises(ValueError, match="no reference latent of class 3"):
        stretch_thresholds(norms, 0.1, labels, num_classes=4)


@pytest.mark.parametrize("q", [-0.1, 0.6, "0.1", True])
def test_a_fraction_out_of_range_is_refused(q):
    with pytest.raises(ConfigError, match=r"sample.jacobian_reject must be the fraction in \[0, 0.5\] of the latent"):
        check_jacobian_reject(q)


def test_config_refuses_a_bad_fraction_by_name():
    with pytest.raises(ConfigError, match=r"sample.jacobian_reject must be the fraction in \[0, 0.5\]"):
        load_config("ring8-tiny", ["sample.jacobian_reject=0.7"])
    assert load_config("ring8-tiny", ["sample.jacobian_reject=0.05"]).sample.jacobian_reject == 0.05


def test_evaluation_during_training_refuses_jacobian_rejection():
    from gankit.evaluation import LiveRun

    live = LiveRun(state=None, kind="points", z_dim=2, path=None)
    assert live.sample_jacobian_reject == 0.0
    with pytest.raises(ConfigError, match="Jacobian rejection applies to a finished run"):
        live.sample(10, jacobian_reject=0.1)
