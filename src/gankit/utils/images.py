"""Image conversion, sample grids, and image files that carry their provenance."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from gankit.utils.atomic import atomic_path
from gankit.utils.provenance import Provenance, mark, save_options


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Map model-space images in [-1, 1] (N×C×H×W) to uint8 N×H×W (gray) or N×H×W×C."""
    # clamp makes the one copy; the rest works in it (a pass over the samples each, no fresh allocation)
    arr = x.detach().float().cpu().clamp(-1, 1).add_(1).mul_(127.5).round_().to(torch.uint8).numpy()
    arr = arr.transpose(0, 2, 3, 1)
    return arr[..., 0] if arr.shape[-1] == 1 else arr


def from_uint8(x: torch.Tensor) -> torch.Tensor:
    """Stored uint8 images (0..255, any layout) -> float in gankit's [-1, 1]; float input is returned as float."""
    return x.float().div(127.5).sub(1) if x.dtype == torch.uint8 else x.float()


def make_grid(images: np.ndarray, nrow: int | None = None, pad: int = 2, min_tile: int = 48) -> np.ndarray:
    """Tile uint8 images (N×H×W or N×H×W×C) into one grid; tiny tiles are enlarged (nearest) to `min_tile` px."""
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    scale = max(1, math.ceil(min_tile / max(h, w)))
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
        h, w = h * scale, w * scale
    nrow = nrow or max(1, int(math.ceil(math.sqrt(n))))
    ncol_rows = int(math.ceil(n / nrow))
    grid = np.full((ncol_rows * (h + pad) + pad, nrow * (w + pad) + pad, c), 255, dtype=np.uint8)
    for i in range(n):
        r, col = divmod(i, nrow)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[top : top + h, left : left + w] = images[i]
    return grid[..., 0] if c == 1 else grid


def save_image(array: np.ndarray, path: str | os.PathLike, provenance: Provenance | None = None) -> None:
    """Save a uint8 H×W or H×W×C array as an image file (format from the suffix), atomically.

    With `provenance`, the file carries its metadata and, at 64 px and more, the run's watermark.
    """
    fmt = _format_of(path)
    image, options = _marked(array, provenance, fmt)
    with atomic_path(path) as tmp:
        image.save(tmp, format=fmt, **options)


def image_bytes(array: np.ndarray, provenance: Provenance | None = None, fmt: str = "PNG") -> bytes:
    """A uint8 H×W or H×W×C array encoded in memory, marked as `save_image` marks files (for a download)."""
    image, options = _marked(array, provenance, fmt)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _marked(array: np.ndarray, provenance: Provenance | None, fmt: str) -> tuple[Image.Image, dict]:
    """The image to write and the encoder's options: with `provenance`, its metadata and watermark."""
    if provenance is None:
        return Image.fromarray(array), {}
    return Image.fromarray(mark(array, provenance)), save_options(provenance, fmt)


def save_grid(x: torch.Tensor, path: str | os.PathLike, nrow: int | None = None,
              provenance: Provenance | None = None) -> None:
    """Save model-space images (N×C×H×W in [-1, 1]) as one grid image."""
    save_image(make_grid(to_uint8(x), nrow=nrow), path, provenance)


def save_animation(frames: Sequence[np.ndarray], path: str | os.PathLike, duration_ms: int,
                   provenance: Provenance | None = None) -> None:
    """Save uint8 frames as a looping GIF; with `provenance`, every frame is marked and the file carries the metadata."""
    options = {}
    if provenance is not None:
        frames, options = [mark(f, provenance) for f in frames], save_options(provenance, "GIF")
    images = [Image.fromarray(f) for f in frames]
    with atomic_path(path) as tmp:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0,
                       **options)


def _format_of(path: str | os.PathLike) -> str:
    ext = os.path.splitext(str(path))[1].lower().lstrip(".")
    return {"jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP"}.get(ext, "PNG")
