"""An invisible watermark carrying a 32-bit payload, for images of 64 px and larger (numpy only).

The mark lives in the 32 lowest spatial frequencies (u, v ≥ 1, u² + v² ≤ 50) of the whole-image
orthonormal DCT of the luma, divided by sqrt(H·W) so that the same coefficients mean the same
spatial frequencies at any size: JPEG quantises high frequencies and downscaling keeps low ones, so
both leave them nearly intact, and a smooth change of ~2 grey levels RMS there (PSNR ≥ 40 dB) is
invisible. Additive spread spectrum would drown in the host's own low-frequency content, so the 32
coefficients are rotated by a fixed key-derived orthogonal matrix and each projection carries one
bit by dithered quantisation index modulation (QIM): it is moved to the nearest point of one of two
interleaved lattices of step `DELTA`, which cancels the host instead of fighting it. The change is
the least one that reaches those points within 0..255 (Newton's method on the clipped change), so
black backgrounds and white areas do not eat it; where that would cost more than PSNR 40.3 dB the
move stops short. Resampling filters and blur attenuate (u, v) by about exp(-a·(u² + v²)), which
would push the large host projections off the lattice, so the reader tries a grid of `a` and keeps
the best. Detection: without a mark, a projection's distance to the nearest lattice point, in
quarter steps, is uniform on [0, 1], so the mean of 32 (`score`) follows the Irwin–Hall law / 32.
`p_value` bounds the chance that an unmarked image scores as low, with a union bound over the gain
grid; `found` means p_value ≤ `FALSE_POSITIVE_RATE` (1e-5: a score ≤ 0.265 at the common slopes,
≤ 0.25 at the others) and no distance above 0.85, so that a degraded mark rarely names a wrong payload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

PAYLOAD_BITS = 32
MIN_SIZE = 64
MIN_READ_SIZE = 16  # below this the band's top frequency nears Nyquist
DELTA = 1.1  # QIM step in normalised DCT units (grey levels): MSE 32·Δ²/12 = 3.2 unclipped, PSNR 43 dB
FALSE_POSITIVE_RATE = 1e-5  # by design: the most often an unmarked image reads as marked
_CLEAR = 0.85  # a bit this close to the other bit's lattice (1 = halfway) is too unsure to name a payload
_K = 8  # DCT rows and columns computed: the band's highest index is 7
_EMBED_STEPS = 10  # Newton steps at most; a few suffice unless much of the image is clipped
_MAX_MSE = 255.0**2 / 10 ** (40.3 / 10)  # PSNR floor 40.3 dB before rounding to integers
_GAINS = np.arange(-2, 31) * 1e-4  # attenuation slopes `a` the reader tries
# Weighted union bound over the gain grid: half the false-positive budget goes to the slopes of JPEG
# and the common resizers (0 ≤ a ≤ 0.0004), half to all the others.
_COMMON = (_GAINS >= 0) & (_GAINS <= 4e-4)
_WEIGHTS = np.where(_COMMON, 0.5 / _COMMON.sum(), 0.5 / (~_COMMON).sum())
_KEY = 0x67616E6B  # "gank": fixes the rotation and the dither; changing it changes the mark

# The band: the 32 lowest frequencies with u, v ≥ 1 (by u² + v², then u). Row and column
# frequencies (u = 0 or v = 0) are left out: the white frames of sample grids put their clipping
# and border errors there after JPEG or resizing.
_BAND = sorted((u * u + v * v, abs(u - v), u, v) for u in range(1, _K) for v in range(1, _K))[:PAYLOAD_BITS]
_U = np.array([b[2] for b in _BAND])
_V = np.array([b[3] for b in _BAND])
_RHO2 = (_U**2 + _V**2).astype(float)
_rng = np.random.default_rng(_KEY)
_ROT = np.linalg.qr(_rng.standard_normal((PAYLOAD_BITS, PAYLOAD_BITS)))[0]  # rows: orthonormal patterns
_DITHER = _rng.uniform(0.0, DELTA, PAYLOAD_BITS)
_LUMA = np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True)
class WatermarkReading:
    """What `read_watermark` saw: `score`, the mean normalised lattice distance (0: a perfect mark, ~0.5: none), and its p-value."""

    found: bool
    payload: int | None
    score: float
    p_value: float
    bits: tuple[int, ...]


def _basis(n: int) -> np.ndarray:
    """The first `_K` rows of the orthonormal DCT-II matrix of size n."""
    u = np.arange(_K)[:, None]
    b = np.sqrt(2.0 / n) * np.cos(np.pi * (2 * np.arange(n) + 1) * u / (2 * n))
    b[0] /= np.sqrt(2.0)
    return b


def _luma(image: np.ndarray) -> np.ndarray:
    x = np.asarray(image, dtype=np.float64)
    if x.ndim == 3:
        return x[..., :3] @ _LUMA if x.shape[2] >= 3 else x[..., 0]
    return x


def _coefficients(y: np.ndarray, bh: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """The band's 32 DCT coefficients, divided by sqrt(H·W) so that they do not depend on the size."""
    return (bh @ y @ bw.T)[_U, _V] / math.sqrt(y.size)


def _bits_of(payload: int) -> np.ndarray:
    return np.array([(payload >> (PAYLOAD_BITS - 1 - i)) & 1 for i in range(PAYLOAD_BITS)], dtype=float)


def _check(image: np.ndarray, payload: int) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError(f"watermark: the image must be a uint8 numpy array, got {getattr(image, 'dtype', type(image).__name__)}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"watermark: the image must be H×W, H×W×3 or H×W×4, got shape {image.shape}")
    if min(image.shape[:2]) < MIN_SIZE:
        raise ValueError(f"watermark: the image is {image.shape[0]}×{image.shape[1]} px, the mark needs at least {MIN_SIZE} px a side")
    if isinstance(payload, bool) or not isinstance(payload, (int, np.integer)) or not 0 <= payload < 2**PAYLOAD_BITS:
        raise ValueError(f"watermark: the payload must be an integer in [0, 2**{PAYLOAD_BITS}), got {payload!r}")


def _pattern(change: np.ndarray, bh: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """The H×W image whose band coefficients are `change` (normalised units) and whose other coefficients are 0."""
    band = np.zeros((_K, _K))
    band[_U, _V] = change
    return math.sqrt(bh.shape[1] * bw.shape[1]) * (bh.T @ band @ bw)


def _masked_gram(weight: np.ndarray, bh: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """How the band's coefficients respond to a change of the band's coefficients where only `weight` of each pixel moves."""
    rows = (bh[:, None, :] * bh[None, :, :]).reshape(_K * _K, -1)
    cols = (bw[:, None, :] * bw[None, :, :]).reshape(_K * _K, -1)
    full = (rows @ weight @ cols.T).reshape(_K, _K, _K, _K)
    return full[_U[:, None], _U[None, :], _V[:, None], _V[None, :]]


def _free(moved: np.ndarray) -> np.ndarray:
    """How much of each pixel's luma a change can still move: 1 inside 0..255, 0 where clipped."""
    free = ((moved > 0) & (moved < 255)).astype(float)
    return free @ _LUMA if free.ndim == 3 else free


def _move_band(colour: np.ndarray, target: np.ndarray, bh: np.ndarray, bw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image closest to `colour` (within 0..255) whose luma has band coefficients `target`, and its free pixels.

    The least change under the box constraints is clip(colour + pattern(λ)) for some λ: solve for
    λ by Newton's method, the Jacobian being the band's Gram matrix over the pixels left unclipped.
    """
    lam = target - _coefficients(_luma(colour), bh, bw)
    for _ in range(_EMBED_STEPS):
        change = _pattern(lam, bh, bw)
        moved = colour + (change[..., None] if colour.ndim == 3 else change)
        out = np.clip(moved, 0, 255)
        error = target - _coefficients(_luma(out), bh, bw)
        if np.max(np.abs(error)) < 0.005 * DELTA:
            break
        lam = lam + np.linalg.solve(_masked_gram(_free(moved), bh, bw) + 1e-3 * np.eye(PAYLOAD_BITS), error)
    return out, _free(moved)


def _within_floor(colour: np.ndarray, start: np.ndarray, goal: np.ndarray, free: np.ndarray,
                  bh: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """Move part of the way, where clipping makes the full move cost more than the PSNR floor.

    With G the band's Gram matrix over the free pixels, a coefficient change d costs about
    dᵀG⁻¹d: the change G(G + μI)⁻¹·full, for the μ that meets the budget, leaves the shortfall in
    the directions that clipping makes expensive instead of spreading it over all.
    """
    full, budget = goal - start, _MAX_MSE
    for _ in range(4):
        eig, vec = np.linalg.eigh(_masked_gram(free, bh, bw) + 1e-3 * np.eye(PAYLOAD_BITS))
        f2 = (vec.T @ full) ** 2
        lo, hi = 0.0, 1e6
        for _ in range(60):  # the modelled cost falls as μ grows: bisect for the budget
            mu = (lo + hi) / 2
            lo, hi = (mu, hi) if np.sum(eig * f2 / (eig + mu) ** 2) > budget else (lo, mu)
        out, free = _move_band(colour, start + vec @ (eig / (eig + hi) * (vec.T @ full)), bh, bw)
        mse = float(np.mean((out - colour) ** 2))
        if mse <= _MAX_MSE:
            return out
        budget *= 0.98 * _MAX_MSE / mse  # the model misjudged the clipping: ask for less
    return colour + (out - colour) * math.sqrt(_MAX_MSE / mse)  # a shorter change, still within 0..255


def embed_watermark(image: np.ndarray, payload: int) -> np.ndarray:
    """Return a copy of a uint8 grey, RGB or RGBA image carrying the 32-bit `payload` in its luma (alpha kept)."""
    _check(image, payload)
    bh, bw = _basis(image.shape[0]), _basis(image.shape[1])
    colour = image[..., :3].astype(np.float64) if image.ndim == 3 else image.astype(np.float64)
    start = _coefficients(_luma(colour), bh, bw)
    p = _ROT @ start
    offset = _DITHER + _bits_of(int(payload)) * DELTA / 2
    goal = _ROT.T @ (np.round((p - offset) / DELTA) * DELTA + offset)
    out, free = _move_band(colour, goal, bh, bw)
    if np.mean((out - colour) ** 2) > _MAX_MSE:
        out = _within_floor(colour, start, goal, free, bh, bw)
    marked = image.copy()
    if image.ndim == 3:
        marked[..., :3] = np.round(out)
    else:
        marked[...] = np.round(out)
    return marked


def _uniform_mean_cdf(score: float) -> float:
    """P(mean of 32 independent uniforms on [0, 1] ≤ score): the Irwin–Hall CDF, computed exactly."""
    n, x = PAYLOAD_BITS, Fraction(min(max(0.0, score), 1.0) * PAYLOAD_BITS)
    return float(sum((-1) ** k * math.comb(n, k) * (x - k) ** n for k in range(math.floor(x) + 1)) / math.factorial(n))


def read_watermark(image: np.ndarray) -> WatermarkReading:
    """Look for the mark in a grey, RGB or RGBA image (0..255) of any size, downscaled or recompressed; small ones: not found."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or min(image.shape[:2]) < MIN_READ_SIZE:
        return WatermarkReading(found=False, payload=None, score=0.5, p_value=1.0, bits=())
    c = _coefficients(_luma(image), _basis(image.shape[0]), _basis(image.shape[1]))
    # Undo a resampling filter's or a blur's gentle low-pass, exp(-a·ρ²), for each candidate slope a.
    p = (c[None, :] * np.exp(_GAINS[:, None] * _RHO2[None, :])) @ _ROT.T
    r = 2.0 * (p - _DITHER) / DELTA  # lattice points of bit 0 at even integers, of bit 1 at odd ones
    distance = 2.0 * np.abs(r - np.round(r))  # in quarter steps: uniform on [0, 1] without a mark
    scores = distance.mean(axis=1)
    best = int(np.argmin(scores))
    # The weighted union bound over the gain grid (see _WEIGHTS): the best score of each group.
    p_value = min(1.0, *(_uniform_mean_cdf(scores[group].min()) / _WEIGHTS[group][0] for group in (_COMMON, ~_COMMON)))
    bits = tuple(int(b) for b in np.round(r[best]).astype(np.int64) % 2)
    # A heavily degraded mark can score well yet have a bit pushed across: naming a wrong run is
    # worse than naming none, so every bit must also be clear of the boundary.
    found = p_value <= FALSE_POSITIVE_RATE and float(distance[best].max()) <= _CLEAR
    payload = int("".join(map(str, bits)), 2) if found else None
    return WatermarkReading(found=found, payload=payload, score=float(scores[best]), p_value=p_value, bits=bits)
