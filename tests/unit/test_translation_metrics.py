"""Translation scores against hand counts and scikit-image's SSIM (the reference it wraps)."""

import pytest
import torch
from skimage.metrics import structural_similarity

from gankit.metrics.base import MetricError
from gankit.metrics.translation import content_preservation, mean_l1, ssim_per_image, translation_accuracy


def test_translation_accuracy_counts_the_target_class():
    judged = torch.tensor([9, 9, 7, 9, 0])
    r = translation_accuracy(judged, target=9)
    assert r.value == pytest.approx(3 / 5) and r.n_fake == 5
    lo, hi = r.ci
    assert lo < 0.6 < hi
    with pytest.raises(MetricError):
        translation_accuracy(torch.tensor([], dtype=torch.long), 1)


def test_mean_l1_by_hand():
    x = torch.zeros(2, 1, 2, 2)
    y = torch.tensor([0.5, 0.5, 0.5, 0.5, 1.0, 1.0, -1.0, -1.0]).view(2, 1, 2, 2)
    r = mean_l1(x, y, "cycle")
    assert r.value == pytest.approx((0.5 + 1.0) / 2)


def test_ssim_matches_scikit_image_on_grey_and_rgb():
    g = torch.Generator().manual_seed(0)
    for c in (1, 3):
        x, y = torch.rand(3, c, 16, 16, generator=g) * 2 - 1, torch.rand(3, c, 16, 16, generator=g) * 2 - 1
        got = ssim_per_image(x, y)
        ref = [structural_similarity(a.numpy(), b.numpy(), data_range=2.0, channel_axis=0) for a, b in zip(x, y)]
        assert torch.allclose(got, torch.tensor(ref, dtype=torch.float64))
    assert torch.allclose(ssim_per_image(x, x), torch.ones(3, dtype=torch.float64))


def test_content_preservation_sees_a_translation_that_keeps_the_layout():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(40, 1, 16, 16, generator=g) * 2 - 1
    targets = torch.rand(40, 1, 16, 16, generator=g) * 2 - 1
    kept = content_preservation(x, -x * 0.5 + 0.2, targets)  # a contrast change keeps the structure... inverted
    copied = content_preservation(x, x * 0.9, targets)
    arbitrary = content_preservation(x, targets.roll(3, 0), targets)
    assert copied.value > 0.9 and copied.value > copied.extras["baseline"] + 0.8
    assert abs(arbitrary.value - arbitrary.extras["baseline"]) < 0.05  # an arbitrary target image is the baseline
    assert kept.value < 0  # SSIM sees inverted structure as anti-correlated, not as kept: it is no colour-blind score
