"""Translate images too large for one pass in overlapping tiles, cross-faded where they overlap.

Tiles of `tile` px overlap their neighbours by at least `overlap` px (they are spread evenly, the last one
flush with the border). In an overlap each tile's weight is 0 for the `margin` px nearest its inner edge,
rises linearly over the next `overlap - 2·margin` px and is 1 beyond; tile outputs are summed with these
weights and divided by the total weight. Sides on the image border keep weight 1 up to the border, where
a tile sees the same border as the full image. So for a network without normalisation whose outputs
depend on inputs at most r px away (receptive field 2r + 1), the tiled result equals the full pass
whenever margin >= r: every tile contributing to a pixel saw that pixel's whole receptive field.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def needs_tiling(h: int, w: int, limit_pixels: int) -> bool:
    """True when an h×w image has more pixels than one pass may take (`limit_pixels`, set from the memory at hand)."""
    return h * w > limit_pixels


def _starts(length: int, tile: int, overlap: int) -> list[int]:
    """Evenly spread tile origins along one side, first at 0 and last flush with the end."""
    if tile >= length:
        return [0]
    count = -(-(length - overlap) // (tile - overlap))  # the fewest tiles whose overlaps are all >= overlap
    return [i * (length - tile) // (count - 1) for i in range(count)]


def _ramp(size: int, inner_before: bool, inner_after: bool, overlap: int, margin: int,
          like: torch.Tensor) -> torch.Tensor:
    """One tile's weights along one side: 0 within `margin` of an inner edge, a linear rise, then 1."""
    weight = torch.ones(size, dtype=like.dtype, device=like.device)
    if overlap == 0:
        return weight
    dist = torch.arange(size, dtype=like.dtype, device=like.device)  # px from the leading edge
    rise = lambda d: ((d - margin + 1) / (overlap - 2 * margin + 1)).clamp(0, 1)
    if inner_before:
        weight = torch.minimum(weight, rise(dist))
    if inner_after:
        weight = torch.minimum(weight, rise(size - 1 - dist))
    return weight


def translate_tiled(net: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, tile: int, overlap: int,
                    margin: int | None = None) -> torch.Tensor:
    """net(x) for images (N, C, H, W) computed in overlapping tile×tile pieces blended by linear ramps.

    With tile >= H and W this is exactly net(x). Otherwise: margin defaults to overlap // 4, so the fade
    spans the middle half of each overlap, and the result is exact for a normalisation-free network whose
    reach r (receptive field 2r + 1) is <= margin; pass margin=(overlap - 1) // 2 for exactness whenever
    overlap >= the receptive field, at the cost of a sharper fade. With instance norm (the CycleGAN and
    pix2pix generators) each tile is normalised by its own statistics, and a U-Net sees the whole tile,
    so tiles only approximate the full pass; a wide overlap hides the seams. Call it under
    torch.no_grad() to save the memory it exists for.
    """
    if x.dim() != 4:
        raise ValueError(f"translate_tiled takes images (N, C, H, W), got shape {tuple(x.shape)}")
    h, w = x.shape[-2:]
    if tile >= h and tile >= w:
        return net(x)
    margin = overlap // 4 if margin is None else margin
    if not 0 <= overlap < tile or margin < 0 or (overlap and 2 * margin >= overlap) or (not overlap and margin):
        raise ValueError(f"translate_tiled needs 0 <= overlap < tile and 0 <= 2·margin < overlap (margin 0 without "
                         f"overlap), got tile={tile}, overlap={overlap}, margin={margin}")
    th, tw = min(tile, h), min(tile, w)
    out, total = None, x.new_zeros(h, w)
    for y0 in _starts(h, th, overlap):
        wy = _ramp(th, y0 > 0, y0 + th < h, overlap, margin, x)
        for x0 in _starts(w, tw, overlap):
            wx = _ramp(tw, x0 > 0, x0 + tw < w, overlap, margin, x)
            piece = net(x[:, :, y0:y0 + th, x0:x0 + tw])
            if piece.shape[-2:] != (th, tw):
                raise ValueError(f"translate_tiled needs a network whose output has its input's size; "
                                 f"a {th}×{tw} tile gave {tuple(piece.shape[-2:])}")
            if out is None:
                out = piece.new_zeros(len(x), piece.shape[1], h, w)
            weight = wy[:, None] * wx[None, :]
            out[..., y0:y0 + th, x0:x0 + tw] += piece * weight
            total[y0:y0 + th, x0:x0 + tw] += weight
    return out / total
