"""The PacGAN mode-coverage metric on samples whose answer is known."""

import math

import numpy as np
import pytest
import torch

from gankit.data.toy2d import mixture_centres, mixture_std, ring8
from gankit.metrics.modes import mode_coverage


def test_exact_sampler_scores():
    data = ring8(200_000, seed=3)
    cov = mode_coverage(data.x, mixture_centres("ring8"), mixture_std("ring8"))
    assert cov.modes == 8
    # mass of a 2-D Gaussian within 3σ: 1 - exp(-9/2)
    assert cov.hq_fraction == pytest.approx(1 - math.exp(-4.5), abs=0.002)
    assert cov.reverse_kl < 1e-3
    assert cov.spread == pytest.approx(0.97, abs=0.01)
    assert cov.width == pytest.approx(cov.spread, abs=0.002)  # the exact modes sit on their centres


def test_points_on_centres_have_zero_spread():
    centres = mixture_centres("grid25")
    cov = mode_coverage(centres.repeat(10, 1), centres, mixture_std("grid25"))
    assert (cov.modes, cov.hq_fraction, cov.spread) == (25, 1.0, 0.0)
    assert cov.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_collapse_and_kl():
    centres = mixture_centres("ring8")
    # all samples in two modes, 3:1 -> KL(p || uniform) = sum p log(8 p)
    pts = torch.cat([centres[0].repeat(300, 1), centres[1].repeat(100, 1), torch.full((100, 2), 5.0)])
    cov = mode_coverage(pts, centres, 0.01)
    assert cov.modes == 2 and cov.hq_fraction == pytest.approx(0.8)
    assert cov.reverse_kl == pytest.approx(0.75 * math.log(6) + 0.25 * math.log(2), rel=1e-9)
    assert cov.weakest == 0.0  # six of the eight modes are empty


def test_weakest_mode_share():
    centres = mixture_centres("ring8")
    # seven modes with 100 points, one with 30: its share 30/730 times 8 modes
    pts = torch.cat([centres[:7].repeat(100, 1), centres[7].repeat(30, 1)])
    cov = mode_coverage(pts, centres, 0.01)
    assert cov.modes == 8 and cov.weakest == pytest.approx(30 / 730 * 8, rel=1e-12)
    assert mode_coverage(centres.repeat(5, 1), centres, 0.01).weakest == pytest.approx(1.0)


def test_low_quality_points_capture_nothing():
    cov = mode_coverage(torch.full((10, 2), 0.5), mixture_centres("ring8"), 0.01)
    assert cov.modes == 0 and cov.hq_fraction == 0 and math.isinf(cov.reverse_kl) and cov.weakest == 0.0


def test_width_against_numpy_per_mode_deviation_from_the_mode_mean():
    centres, std = mixture_centres("grid25"), mixture_std("grid25")
    g = torch.Generator().manual_seed(0)
    shift = torch.randn(25, 2, generator=g) * std  # off-centre modes, each of its own width
    scale = torch.rand(25, 1, generator=g) * std
    pts = (centres + shift).repeat(40, 1) + torch.randn(1000, 2, generator=g) * scale.repeat(40, 1)
    cov = mode_coverage(pts, centres, std)
    x, c = pts.double().numpy(), centres.double().numpy()
    nearest = np.linalg.norm(x[:, None] - c[None], axis=2).argmin(1)
    keep = np.linalg.norm(x - c[nearest], axis=1) <= 3 * std
    widths = [np.sqrt(x[keep & (nearest == k)].var(0).sum()) / (math.sqrt(2) * std)
              for k in range(25) if (keep & (nearest == k)).any()]
    assert len(widths) == cov.modes and cov.width == pytest.approx(np.mean(widths), rel=1e-9)


def test_narrow_off_centre_modes_pass_the_spread_and_fail_the_width():
    centres, std = mixture_centres("ring8"), mixture_std("ring8")
    g = torch.Generator().manual_seed(1)
    # every mode a tight blob (0.1σ) moved 1.4σ off its centre: spread ≈ 1.4/√2 ≈ 1, width ≈ 0.1
    pts = (centres + torch.tensor([1.4 * std, 0.0])).repeat(500, 1) + 0.1 * std * torch.randn(4000, 2, generator=g)
    cov = mode_coverage(pts, centres, std)
    assert cov.modes == 8 and cov.spread == pytest.approx(1.0, abs=0.02)
    assert cov.width == pytest.approx(0.1, abs=0.01)
