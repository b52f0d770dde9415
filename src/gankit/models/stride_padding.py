"""Reflection-pad an image to a multiple of a network's stride factor, and crop the network's output back.

The translation generators (CycleGAN's ResNet generator, pix2pix's U-Net) halve the image several times
and double it back, so they need sides that are multiples of 2^downsamplings. Rather than refuse other sizes
they reflect the border out to the next multiple (split as evenly as possible between the two sides) and
crop the output back to H×W. PyTorch's reflection padding needs each pad to be smaller than the side it
pads, which with the network's own size needs gives every generator a smallest accepted input.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def padded_size(size: int, factor: int) -> int:
    """The next multiple of `factor` at or above `size`."""
    return -(-size // factor) * factor


def _pads(size: int, factor: int) -> tuple[int, int]:
    """(before, after): the reflection added to one side, the larger half after."""
    extra = padded_size(size, factor) - size
    return extra // 2, extra - extra // 2


def min_input_size(factor: int, min_padded: int) -> int:
    """Smallest side whose padding to a multiple of `factor` is legal (each pad < side) and reaches `min_padded`."""
    size = 1
    while padded_size(size, factor) < min_padded or max(_pads(size, factor)) >= size:
        size += 1  # both conditions are monotone in size, and the loop ends by max(factor, min_padded) + 1
    return size


def pad_to_multiple(x: torch.Tensor, factor: int, min_size: int, who: str) -> tuple[torch.Tensor, int, int]:
    """(x reflection-padded to multiples of `factor`, top, left); ValueError when a side is below `min_size`."""
    h, w = x.shape[-2:]
    if h < min_size or w < min_size:
        raise ValueError(f"{who} needs images of at least {min_size}×{min_size} px, got {h}×{w}; "
                         f"upsample the input or use a shallower network")
    (top, bottom), (left, right) = _pads(h, factor), _pads(w, factor)
    if top or bottom or left or right:
        x = F.pad(x, (left, right, top, bottom), mode="reflect")
    return x, top, left


def crop(y: torch.Tensor, top: int, left: int, h: int, w: int) -> torch.Tensor:
    """The H×W window of `y` that corresponds to the unpadded input."""
    return y[..., top:top + h, left:left + w]
