"""Perceptual path length against a closed form, and the LPIPS distance's basic laws."""

import pytest
import torch
from torch import nn

import gankit.latent.ppl as ppl_mod
from gankit.metrics.base import MetricError
from gankit.metrics.lpips import LPIPS, load_lpips


class LinearStyleG(nn.Module):
    """mapping(z) = z (one style layer), synthesis(w) = reshape(w @ M): the Jacobian is M everywhere."""

    def __init__(self, z_dim=4, side=4):
        super().__init__()
        self.M = torch.randn(z_dim, side * side, generator=torch.Generator().manual_seed(0))
        self.side = side

    def mapping(self, z, c=None):
        return z[:, None, :]

    def synthesis(self, ws):
        return (ws[:, 0] @ self.M).view(-1, 1, self.side, self.side)


class FakeRun:
    kind, z_dim, num_classes = "image", 4, 0

    def __init__(self):
        self.G = LinearStyleG()

    def generator(self):
        return self.G


def test_ppl_of_a_linear_generator_is_the_closed_form(monkeypatch):
    """For w-lerp paths and squared pixel distance, d/ε² = ‖(w1 − w0) M‖² exactly, whatever t."""
    monkeypatch.setattr(ppl_mod, "_distance", lambda run, w: (lambda a, b: (a - b).flatten(1).pow(2).sum(1), "px"))
    run = FakeRun()
    r = ppl_mod.perceptual_path_length(run, n=400, eps=1e-2, seed=3, batch_size=400)
    g = torch.Generator().manual_seed(3)
    z = torch.randn(800, 4, generator=g)
    expected = ((z[400:] - z[:400]) @ run.G.M).pow(2).sum(1).double()
    lo, hi = torch.quantile(expected, 0.01), torch.quantile(expected, 0.99)
    kept = expected[(expected >= lo) & (expected <= hi)]
    assert r.value == pytest.approx(float(kept.mean()), rel=1e-3)
    assert r.extras["space"] == "w (lerp)" and r.extras["kept"] == len(kept)


def test_lpips_is_zero_on_equal_images_symmetric_and_loads_a_users_file(tmp_path):
    torch.manual_seed(0)
    model = LPIPS()
    for i in range(5):  # LPIPS's learned weights are non-negative
        getattr(model, f"lin{i}").model[1].weight.data.abs_()
    x, y = torch.rand(3, 3, 32, 32) * 2 - 1, torch.rand(3, 3, 32, 32) * 2 - 1
    assert torch.equal(model(x, x), torch.zeros(3))
    assert torch.allclose(model(x, y), model(y, x)) and (model(x, y) > 0).all()
    torch.save({k: v for k, v in model.state_dict().items() if k not in ("shift", "scale")}, tmp_path / "w.pth")
    assert torch.allclose(load_lpips(tmp_path / "w.pth")(x, y), model(x, y))
    with pytest.raises(MetricError, match="downloads nothing"):
        load_lpips(tmp_path / "missing.pth")
    torch.save({"features.0.weight": torch.zeros(1)}, tmp_path / "bad.pth")
    with pytest.raises(MetricError, match="lacks"):
        load_lpips(tmp_path / "bad.pth")
