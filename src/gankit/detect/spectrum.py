"""The azimuthally averaged power spectrum: the feature that exposes up-sampling artefacts.

Durall et al. 2020 ("Watch your up-convolution") show that transposed convolutions and other
up-samplers leave a generator's images with too much or too little power at high spatial
frequencies; averaged over each ring of the 2-D spectrum, the trace is a 1-D curve a linear
classifier can read. The spectrum here is that of the orthonormal 2-D DCT-II, the domain of Frank
et al. 2020: it needs no periodic wrap-around (whose seam adds power of its own) and resolves
half-cycles, so a 28-px image gives 39 rings where the DFT gives 15. The corners are kept: the 2-D checkerboard of a
stride-2 up-convolution lives at the highest frequency of both axes.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import dctn

LUMA = np.array([0.299, 0.587, 0.114])
EPS = 1e-8  # keeps the log finite on rings with no power


def ring_index(h: int, w: int) -> np.ndarray:
    """For each DCT coefficient (u, v) of an h×w image, its ring: the rounded radius √(u² + v²) (half-cycles per image)."""
    return np.rint(np.hypot(np.arange(h)[:, None], np.arange(w)[None, :])).astype(int)


def ring_count(h: int, w: int) -> int:
    """How many rings (features) an h×w image has."""
    return int(ring_index(h, w).max()) + 1


def azimuthal_spectrum(images: np.ndarray) -> np.ndarray:
    """log10 of the mean DCT power on each ring of every image: N×ring_count(H, W).

    images: uint8 N×H×W×C (RGB is reduced to its luma). The power of (u, v) is C(u, v)² / (H·W), with C
    the orthonormal 2-D DCT-II of the image in [0, 1]; ring 0 is the mean brightness squared.
    """
    n, h, w, c = images.shape
    x = images.astype(np.float64) / 255.0
    x = x[..., 0] if c == 1 else x @ LUMA
    power = dctn(x, type=2, axes=(1, 2), norm="ortho") ** 2 / (h * w)
    rings = ring_index(h, w).ravel()
    counts = np.bincount(rings)
    sums = np.stack([np.bincount(rings, weights=p.ravel(), minlength=len(counts)) for p in power])
    return np.log10(sums / counts + EPS)
