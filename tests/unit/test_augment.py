"""DiffAugment (Zhao et al. 2020) and ADA (Karras et al. 2020): shapes, gradients, randomness and the p controller."""

import math

import pytest
import torch

from gankit.augment import (
    ADA_OPS,
    DIFFAUGMENT_POLICIES,
    AdaptiveAugment,
    ada_augment,
    add_instance_noise,
    diff_augment,
    instance_noise_std,
)
from gankit.errors import CheckpointError, ConfigError


def _gen(seed: int = 0) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def _images(n=4, c=3, h=16, w=16, seed=1, dtype=torch.float32):
    return torch.rand(n, c, h, w, generator=_gen(seed), dtype=dtype) * 2 - 1


# ---------------------------------------------------------------- DiffAugment


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
@pytest.mark.parametrize("c", [1, 3])
def test_diffaugment_keeps_shape_and_dtype(policy, c):
    for dtype in (torch.float32, torch.float64):
        x = _images(c=c, h=12, w=10, dtype=dtype)
        y = diff_augment(x, policy, generator=_gen())
        assert y.shape == x.shape and y.dtype == dtype
        assert torch.isfinite(y).all()


def test_diffaugment_changes_the_images():
    x = _images()
    y = diff_augment(x, generator=_gen())
    assert not torch.allclose(x, y)
    assert diff_augment(x, "", generator=_gen()) is x


@pytest.mark.parametrize("policy", list(DIFFAUGMENT_POLICIES) + ["color,translation,cutout"])
def test_diffaugment_gradient_reaches_x(policy):
    x = _images().requires_grad_(True)
    diff_augment(x, policy, generator=_gen()).square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_diffaugment_gradcheck(policy):
    x = _images(n=2, c=3, h=8, w=8, dtype=torch.float64).requires_grad_(True)

    def f(inp):
        # re-seed on every call so every evaluation uses the same transform
        return diff_augment(inp, policy, generator=_gen(7))

    assert torch.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-5)


def test_saturation_is_identity_for_one_channel():
    x = _images(c=1)
    from gankit.augment.diffaugment import rand_saturation

    assert torch.equal(rand_saturation(x, _gen()), x)


def test_color_ranges_match_the_paper():
    # brightness alone: a per-sample constant offset in [-0.5, 0.5)
    from gankit.augment.diffaugment import rand_brightness, rand_contrast

    x = _images(n=256)
    d = rand_brightness(x, _gen()) - x
    per_sample = d.flatten(1)
    assert torch.allclose(per_sample, per_sample[:, :1].expand_as(per_sample), atol=1e-6)
    assert per_sample.min() >= -0.5 and per_sample.max() < 0.5
    assert per_sample[:, 0].std() > 0.2  # U[-0.5, 0.5) has std 0.289
    # contrast alone: deviation from the mean scaled by c in [0.5, 1.5)
    y = rand_contrast(x, _gen())
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    c = ((y - m).flatten(1).norm(dim=1) / (x - m).flatten(1).norm(dim=1))
    assert c.min() >= 0.5 - 1e-5 and c.max() < 1.5 + 1e-5 and c.max() - c.min() > 0.8


def test_translation_moves_a_pixel_by_at_most_an_eighth():
    n, h = 64, 32
    x = -torch.ones(n, 1, h, h)
    x[:, :, 16, 16] = 1.0
    y = diff_augment(x, "translation", generator=_gen(3))
    moved = 0
    for i in range(n):
        pos = (y[i, 0] == 1.0).nonzero()
        assert pos.shape[0] == 1, "the bright pixel must survive a shift of at most H/8 from the centre"
        dy, dx = (pos[0] - torch.tensor([16, 16])).abs().tolist()
        assert dy <= h // 8 and dx <= h // 8
        moved += (dy, dx) != (0, 0)
    assert moved > n // 2  # shifts are random per sample and mostly non-zero
    # the vacated border is zero padded
    z = diff_augment(torch.ones(n, 1, h, h), "translation", generator=_gen(3))
    assert (z == 0).any() and set(z.unique().tolist()) <= {0.0, 1.0}


def test_cutout_zeros_a_quarter_in_one_square():
    n, h = 32, 16
    y = diff_augment(torch.ones(n, 3, h, h), "cutout", generator=_gen(4))
    zero = y == 0
    assert abs(zero.float().mean().item() - 0.25) < 0.02
    assert torch.equal(zero[:, :1].expand_as(zero), zero)  # same box in every channel
    for i in range(n):
        rows, cols = zero[i, 0].nonzero().unbind(1)
        box = zero[i, 0, rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        assert box.all() and box.shape == (h // 2, h // 2)
    positions = {tuple(zero[i, 0].nonzero()[0].tolist()) for i in range(n)}
    assert len(positions) > 5  # placed at random per sample


def test_diffaugment_same_seed_same_output():
    x = _images()
    a = diff_augment(x, generator=_gen(11))
    b = diff_augment(x, generator=_gen(11))
    c = diff_augment(x, generator=_gen(12))
    assert torch.equal(a, b) and not torch.equal(a, c)
    torch.manual_seed(5)
    d = diff_augment(x)
    torch.manual_seed(5)
    assert torch.equal(d, diff_augment(x))


def test_diffaugment_is_per_sample():
    x = _images(n=8).mean(0, keepdim=True).expand(8, -1, -1, -1).contiguous()
    y = diff_augment(x, generator=_gen())
    assert not torch.allclose(y[0], y[1])


def test_unknown_policy_lists_the_valid_ones():
    with pytest.raises(ConfigError) as err:
        diff_augment(_images(), "color,zoom")
    msg = str(err.value)
    assert "zoom" in msg and all(p in msg for p in DIFFAUGMENT_POLICIES)


def test_diffaugment_rejects_non_images():
    with pytest.raises(ValueError):
        diff_augment(torch.zeros(4, 3))


# ---------------------------------------------------------------- ADA controller


def test_ada_p_rises_when_d_overfits():
    ada = AdaptiveAugment(target=0.6, speed_kimg=500, interval=4)
    step = 64 * 4 / (500 * 1000)
    logits = torch.ones(64)
    for _ in range(3):
        ada.update(logits, 64)
        assert ada.p == 0.0 and math.isnan(ada.rt)  # nothing moves before `interval` updates
    ada.update(logits, 64)
    assert ada.rt == 1.0
    assert ada.p == pytest.approx(step, rel=1e-12)
    for _ in range(4 * 9):
        ada.update(logits, 64)
    assert ada.p == pytest.approx(10 * step, rel=1e-9)


def test_ada_p_falls_when_d_does_not_overfit():
    ada = AdaptiveAugment(target=0.6, speed_kimg=1, interval=2, p_init=0.5)
    step = 32 * 2 / 1000
    for _ in range(2):
        ada.update(-torch.ones(32, 1), 32)
    assert ada.rt == -1.0 and ada.p == pytest.approx(0.5 - step)
    # mixed signs: r_t = (24 − 8) / 32 = 0.5 < 0.6, still falling
    mixed = torch.cat([torch.ones(24), -torch.ones(8)])
    for _ in range(2):
        ada.update(mixed, 32)
    assert ada.rt == pytest.approx(0.5) and ada.p == pytest.approx(0.5 - 2 * step)


def test_ada_p_stays_in_bounds():
    ada = AdaptiveAugment(speed_kimg=0.01, interval=1, p_max=0.7)  # one update moves p by 6.4
    ada.update(torch.ones(64), 64)
    assert ada.p == 0.7
    ada.update(-torch.ones(64), 64)
    assert ada.p == 0.0
    ada.update(-torch.ones(64), 64)
    assert ada.p == 0.0


def test_ada_at_target_and_nan_leave_p_alone():
    ada = AdaptiveAugment(target=0.5, interval=1, p_init=0.3)
    ada.update(torch.tensor([1.0, 1.0, 1.0, -1.0]), 4)  # r_t = 0.5 = target
    assert ada.p == 0.3
    ada.update(torch.tensor([float("nan"), 1.0]), 2)
    assert math.isnan(ada.rt) and ada.p == 0.3


def test_ada_state_round_trip_resumes_exactly():
    torch.manual_seed(0)
    batches = [torch.randn(16) + 0.8 for _ in range(22)]
    full = AdaptiveAugment(speed_kimg=1, interval=4)
    for b in batches:
        full.update(b, 16)
    first = AdaptiveAugment(speed_kimg=1, interval=4)
    for b in batches[:10]:  # stop mid-interval so the accumulator matters
        first.update(b, 16)
    state = first.state_dict()
    assert all(isinstance(v, (int, float)) for v in state.values())
    resumed = AdaptiveAugment(speed_kimg=1, interval=4)
    resumed.load_state_dict(state)
    for b in batches[10:]:
        resumed.update(b, 16)
    assert resumed.p == full.p and resumed.rt == full.rt and resumed.state_dict() == full.state_dict()
    with pytest.raises(CheckpointError):
        resumed.load_state_dict({"p": 0.1})


def test_ada_rejects_bad_settings():
    for kwargs in ({"p_init": 0.9, "p_max": 0.5}, {"interval": 0}, {"speed_kimg": 0.0}, {"p_max": 1.5}):
        with pytest.raises(ConfigError):
            AdaptiveAugment(**kwargs)


# ---------------------------------------------------------------- ADA pipeline


def test_ada_augment_p0_is_exactly_x():
    x = _images()
    y = ada_augment(x, 0.0, generator=_gen())
    assert torch.equal(y, x)


def test_ada_augment_p1_changes_x_and_passes_gradients():
    x = _images().requires_grad_(True)
    y = ada_augment(x, 1.0, generator=_gen())
    assert y.shape == x.shape and not torch.allclose(y, x)
    y.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_ada_augment_gradcheck():
    x = _images(n=2, c=3, h=6, w=6, dtype=torch.float64).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ada_augment(t, 1.0, generator=_gen(2)), (x,), eps=1e-6, atol=1e-5)


def test_ada_flip_hits_about_half_at_p_half():
    n = 400
    x = _images(n=n, c=1, h=4, w=4)
    y = ada_augment(x, 0.5, generator=_gen(9), ops="xflip")
    flipped = torch.tensor([torch.equal(y[i], x[i].flip(-1)) for i in range(n)])
    kept = torch.tensor([torch.equal(y[i], x[i]) for i in range(n)])
    assert (flipped ^ kept).all()  # every sample is exactly one of the two
    assert 0.4 < flipped.float().mean().item() < 0.6


def test_ada_rotate90_gives_quarter_turns():
    n = 64
    x = _images(n=n, c=2, h=5, w=5)
    y = ada_augment(x, 1.0, generator=_gen(3), ops=["rotate90"])
    ks = []
    for i in range(n):
        match = [k for k in range(4) if torch.equal(y[i], torch.rot90(x[i], k, dims=(1, 2)))]
        assert len(match) == 1
        ks.append(match[0])
    assert set(ks) == {0, 1, 2, 3}
    # non-square images: rotate90 is skipped
    r = _images(h=4, w=6)
    assert torch.equal(ada_augment(r, 1.0, generator=_gen(), ops="rotate90"), r)


def test_ada_translation_reflects_and_is_bounded():
    n, h = 32, 16
    x = _images(n=n, c=1, h=h, w=h)
    y = ada_augment(x, 1.0, generator=_gen(5), ops="translation")
    # reflect padding: every output value comes from the same sample, no zeros appear
    for i in range(n):
        assert set(y[i].unique().tolist()) <= set(x[i].unique().tolist())
    # a shift by (dy, dx) leaves x[i, :, r, c] at y[i, :, r + dy, c + dx] inside the image
    shifts = set()
    for i in range(n):
        found = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if torch.equal(y[i, :, max(dy, 0) : h + min(dy, 0), max(dx, 0) : h + min(dx, 0)],
                           x[i, :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : h + min(-dx, 0)])
        ]
        assert len(found) == 1
        shifts.add(found[0])
    assert len(shifts) > 5


def test_ada_color_ops_keep_unchosen_samples_exact():
    n = 200
    x = _images(n=n, c=3, h=4, w=4)
    for op in ("brightness", "contrast", "saturation", "cutout"):
        y = ada_augment(x, 0.3, generator=_gen(1), ops=op)
        same = torch.tensor([torch.equal(y[i], x[i]) for i in range(n)]).float().mean().item()
        assert 0.58 < same < 0.82, op


def test_ada_brightness_and_contrast_distributions():
    n = 4000
    x = _images(n=n, c=3, h=2, w=2, dtype=torch.float64)
    b = (ada_augment(x, 1.0, generator=_gen(1), ops="brightness") - x).flatten(1)
    assert torch.allclose(b, b[:, :1].expand_as(b))
    assert abs(b[:, 0].std().item() - 0.2) < 0.015 and abs(b[:, 0].mean().item()) < 0.015
    y = ada_augment(x, 1.0, generator=_gen(2), ops="contrast")
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    log_c = torch.log((y - m).flatten(1).norm(dim=1) / (x - m).flatten(1).norm(dim=1))
    assert abs(log_c.std().item() - 0.5 * math.log(2)) < 0.03 and abs(log_c.mean().item()) < 0.03
    s = ada_augment(x, 1.0, generator=_gen(3), ops="saturation")
    mc = x.mean(dim=1, keepdim=True)
    log_s = torch.log((s - mc).flatten(1).norm(dim=1) / (x - mc).flatten(1).norm(dim=1))
    assert abs(log_s.std().item() - math.log(2)) < 0.05


def test_ada_augment_seeded_and_validated():
    x = _images()
    assert torch.equal(ada_augment(x, 0.7, generator=_gen(4)), ada_augment(x, 0.7, generator=_gen(4)))
    with pytest.raises(ConfigError) as err:
        ada_augment(x, 0.5, ops="xflip,hue")
    assert "hue" in str(err.value) and all(op in str(err.value) for op in ADA_OPS)
    with pytest.raises(ConfigError):
        ada_augment(x, 1.5)


# ---------------------------------------------------------------- instance noise


def test_instance_noise_std_falls_linearly_to_zero_at_until():
    assert instance_noise_std(0, 1000, 0.5, 0.6) == 0.5
    assert instance_noise_std(300, 1000, 0.5, 0.6) == pytest.approx(0.25)
    assert instance_noise_std(599, 1000, 0.5, 0.6) == pytest.approx(0.5 / 600)
    assert instance_noise_std(600, 1000, 0.5, 0.6) == 0.0
    assert instance_noise_std(900, 1000, 0.5, 0.6) == 0.0
    assert instance_noise_std(500, 1000, 0.4) == pytest.approx(0.2)  # until = 1: the whole run
    assert instance_noise_std(10, 1000, 0.0) == 0.0


def test_instance_noise_is_gaussian_seeded_and_differentiable():
    x = torch.full((50_000, 2), 3.0, requires_grad=True)
    y = add_instance_noise(x, 0.3, generator=_gen(4))
    e = (y - 3.0).detach()
    assert e.mean().abs() < 0.005 and e.std().item() == pytest.approx(0.3, rel=0.01)
    assert (e.abs() > 3 * 0.3).float().mean().item() == pytest.approx(0.0027, abs=0.0008)  # Gaussian tails
    assert torch.equal(y, add_instance_noise(x, 0.3, generator=_gen(4)))
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))
    assert add_instance_noise(x, 0.0) is x
