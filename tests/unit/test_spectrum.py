"""The azimuthal DCT power spectrum, checked by hand on images whose spectrum is known."""

import numpy as np
import pytest

from gankit.detect.spectrum import EPS, azimuthal_spectrum, ring_count


def _ring_sizes(n: int) -> dict[int, int]:
    """How many (u, v) of an n×n DCT have rounded radius r, counted one by one."""
    sizes: dict[int, int] = {}
    for u in range(n):
        for v in range(n):
            r = int(round((u * u + v * v) ** 0.5))
            sizes[r] = sizes.get(r, 0) + 1
    return sizes


@pytest.mark.parametrize("k", [3, 7])
def test_a_dct_cosine_puts_its_power_on_its_ring(k):
    n = 32
    x = np.arange(n)
    a, b = 0.5, 0.4
    row = a + b * np.cos(np.pi * k * (2 * x + 1) / (2 * n))  # the k-th DCT-II basis along x, constant along y
    image = np.repeat(row[None, :], n, 0)[None, :, :, None]
    # by hand: the orthonormal 2-D DCT-II of a + b·cos(πk(2x+1)/2n), constant along y, is a·n at (0, 0) and
    # b·n/√2 at (0, k), zero elsewhere; power = C² / n², and a ring holds the mean power of its coefficients
    sizes = _ring_sizes(n)
    spectrum = azimuthal_spectrum((image * 255).astype(np.float64).round().astype(np.uint8))[0]
    q = np.rint(row * 255) / 255  # what uint8 keeps
    a_q = q.mean()
    assert spectrum.shape == (ring_count(n, n),) == (int(round(31 * 2**0.5)) + 1,)
    assert spectrum[0] == pytest.approx(np.log10((a_q * n) ** 2 / n**2 / sizes[0] + EPS), abs=1e-4)
    assert spectrum[k] == pytest.approx(np.log10((b * n / 2**0.5) ** 2 / n**2 / sizes[k] + EPS), abs=0.01)
    assert all(spectrum[r] < spectrum[k] - 3 for r in range(1, len(spectrum)) if r != k)


def test_rgb_reads_its_luma():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    luma = rgb.astype(float) @ np.array([0.299, 0.587, 0.114]) / 255
    assert azimuthal_spectrum(rgb)[:, 0] == pytest.approx(np.log10(luma.mean((1, 2)) ** 2 + EPS))
