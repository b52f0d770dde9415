"""scikit-learn's bundled handwritten digits (UCI "Optical Recognition of Handwritten Digits",
Alpaydin & Kaynak 1998): 1797 images of 8×8, offline, a stand-in for MNIST in quick runs."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.data.base import ArrayDataset
from gankit.errors import DataError

NATIVE_SIZE = 8
MAX_VALUE = 16  # the source images count pixels in 4×4 blocks: values 0..16


def _upscale(x: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize of uint8 N×C×H×W images to size×size, rounded back to uint8."""
    y = F.interpolate(x.float(), size=(size, size), mode="bilinear", align_corners=False,
                      antialias=size < x.shape[-1])
    return y.round_().clamp_(0, 255).to(torch.uint8)


def load_digits(size: int | None = None) -> ArrayDataset:
    """Load the 1797 sklearn digits as uint8 N×1×8×8 in 0..255, optionally resized bilinearly to size×size."""
    if size is not None and (not isinstance(size, int) or size < 1):
        raise DataError(f"digits: image size {size!r} is not a positive integer; pass e.g. --set data.size=32")
    from sklearn.datasets import load_digits as sklearn_digits  # deferred: importing sklearn takes ~1 s

    bunch = sklearn_digits()
    scaled = torch.from_numpy(bunch.images).mul(255.0 / MAX_VALUE).round_().clamp_(0, 255)
    x = scaled.to(torch.uint8).unsqueeze(1)
    if size is not None and size != NATIVE_SIZE:
        x = _upscale(x, size)
    return ArrayDataset(
        x=x,
        y=torch.from_numpy(bunch.target).long(),
        class_names=[str(d) for d in range(10)],
        kind="image",
        name="digits",
        meta={"source": "sklearn.datasets.load_digits"},
    )
