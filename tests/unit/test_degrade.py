"""The degradations of detector training and robustness rows do what they say."""

import numpy as np
import pytest

from gankit.augment.degrade import ROBUSTNESS, blur, cnndetection_augment, crop, jpeg, resize


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    smooth = np.cumsum(np.cumsum(rng.normal(size=(4, 32, 32, 1)), 1), 2)
    smooth = (smooth - smooth.min()) / np.ptp(smooth) * 255
    return smooth.astype(np.uint8)


def test_jpeg_error_grows_as_quality_falls(images):
    errors = [np.abs(jpeg(images, q).astype(int) - images).mean() for q in (95, 75, 30)]
    assert errors[0] < errors[1] < errors[2]
    assert jpeg(np.repeat(images, 3, -1), 75).shape == (4, 32, 32, 3)


def test_resize_crop_and_blur_shapes_and_values(images):
    assert resize(images, 0.5).shape == (4, 16, 16, 1)
    assert crop(images, 0.875).shape == (4, 28, 28, 1)
    assert np.array_equal(crop(images, 0.875), images[:, 2:30, 2:30])
    flat = np.full((2, 16, 16, 3), 77, np.uint8)
    assert np.array_equal(blur(flat, 1.0), flat)  # a blur keeps a constant image
    assert blur(images, 1.0).std() < images.std()
    assert np.array_equal(blur(images, 0.0), images)


def test_cnndetection_augment_touches_about_half(images):
    many = np.repeat(images, 50, axis=0)
    out = cnndetection_augment(many, np.random.default_rng(0))
    changed = np.mean([not np.array_equal(a, b) for a, b in zip(out, many)])
    assert 0.6 < changed < 0.9  # 1 − 0.5·0.5 = 0.75 are blurred or compressed (a σ≈0 blur may change nothing)
    assert out.shape == many.shape and out.dtype == np.uint8


def test_robustness_rows_are_the_issue_s(images):
    assert list(ROBUSTNESS) == ["JPEG 90", "JPEG 75", "JPEG 50", "resize 0.5×", "blur σ=1", "crop 7/8"]
    for f in ROBUSTNESS.values():
        assert f(images).dtype == np.uint8
