"""Degradations of uint8 images (N×H×W×C): JPEG, resize, blur, crop, as a detector meets them in the wild.

They serve twice: as CNNDetection's training augmentation (blur and JPEG at probability 0.5, Wang et
al. 2020) and as the robustness rows of `gankit detect eval`.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)


def _back(image: Image.Image, channels: int) -> np.ndarray:
    array = np.asarray(image)
    return array[..., None] if channels == 1 else array


def jpeg(images: np.ndarray, quality: int | np.ndarray) -> np.ndarray:
    """Each image through JPEG at `quality` (one value, or one per image) with Pillow."""
    qualities = np.broadcast_to(np.asarray(quality), (len(images),))
    out = np.empty_like(images)
    for i, (image, q) in enumerate(zip(images, qualities)):
        buffer = io.BytesIO()
        _pil(image).save(buffer, format="JPEG", quality=int(q))
        buffer.seek(0)
        with Image.open(buffer) as decoded:
            out[i] = _back(decoded.convert("L" if image.shape[-1] == 1 else "RGB"), image.shape[-1])
    return out


def resize(images: np.ndarray, factor: float) -> np.ndarray:
    """Each image scaled by `factor` (bicubic, Pillow's antialiased resize)."""
    n, h, w, c = images.shape
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return np.stack([_back(_pil(image).resize(size, Image.Resampling.BICUBIC), c) for image in images])


def blur(images: np.ndarray, sigma: float | np.ndarray) -> np.ndarray:
    """Each image blurred by a Gaussian of `sigma` px (one value, or one per image), channels apart."""
    sigmas = np.broadcast_to(np.asarray(sigma, dtype=float), (len(images),))
    out = np.empty_like(images)
    for i, (image, s) in enumerate(zip(images, sigmas)):
        blurred = gaussian_filter(image.astype(np.float32), sigma=(s, s, 0)) if s > 0 else image
        out[i] = np.clip(np.rint(blurred), 0, 255).astype(np.uint8)
    return out


def crop(images: np.ndarray, fraction: float = 0.875) -> np.ndarray:
    """The centre crop of each image keeping `fraction` of its height and width."""
    n, h, w, c = images.shape
    ch, cw = max(1, round(h * fraction)), max(1, round(w * fraction))
    top, left = (h - ch) // 2, (w - cw) // 2
    return images[:, top : top + ch, left : left + cw].copy()


def cnndetection_augment(images: np.ndarray, rng: np.random.Generator, p_blur: float = 0.5,
                         p_jpeg: float = 0.5) -> np.ndarray:
    """CNNDetection's augmentation: blur with σ ~ U[0, 3] at p_blur, then JPEG with quality ~ U{30..100} at p_jpeg."""
    out = images.copy()
    picked = rng.random(len(images)) < p_blur
    if picked.any():
        out[picked] = blur(out[picked], rng.uniform(0.0, 3.0, int(picked.sum())))
    picked = rng.random(len(images)) < p_jpeg
    if picked.any():
        out[picked] = jpeg(out[picked], rng.integers(30, 101, int(picked.sum())))
    return out


ROBUSTNESS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "JPEG 90": lambda x: jpeg(x, 90),
    "JPEG 75": lambda x: jpeg(x, 75),
    "JPEG 50": lambda x: jpeg(x, 50),
    "resize 0.5×": lambda x: resize(x, 0.5),
    "blur σ=1": lambda x: blur(x, 1.0),
    "crop 7/8": lambda x: crop(x, 0.875),
}
