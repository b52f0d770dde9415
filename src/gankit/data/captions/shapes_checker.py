"""Read shapes images back and check them against captions: the attribute accuracy of text-to-image samples.

An independent reader: it takes only the palette, sizes and caption grammar from `shapes` and draws its
own shape templates from the written definition (triangles by half-planes, not by row widths), so a test
that renderer and checker agree on every scene tests both against the definition.

Reading: foreground = max channel > 127; 8-connected components of at least MIN_PIXELS pixels; colour by
majority over pixels of the palette colour each pixel's channels round to (each at 127; black and white
ignored); size by the larger side of the component's bounding box (nearer 7 or 14); shape by the best IoU
of the component with each template at that size, bounding boxes centred on each other.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from gankit.data.captions.shapes import PALETTE, SHAPES, SIZES, ParsedCaption, parse_caption
from gankit.errors import DataError

THRESHOLD = 127  # a channel is "on" above this
MIN_PIXELS = 4  # smaller components are noise
PARTS = ("colour", "shape", "size", "relation", "count")
_SIZE_BY_SIDE = sorted((side, name) for name, side in SIZES.items())
# 3-bit code r·4 + g·2 + b of each palette colour; 0 (black) and 7 (white) have none
_COLOUR_OF_CODE = {(r > THRESHOLD) * 4 + (g > THRESHOLD) * 2 + (b > THRESHOLD): name
                   for name, (r, g, b) in PALETTE.items()}
_SIGN = {"left of": (0, -1), "right of": (0, 1), "above": (1, -1), "below": (1, 1)}  # (axis, sign of d)


@dataclass(frozen=True)
class Detected:
    """One object read from an image: centre (x, y) of its inferred bounding box, in pixel-edge coordinates."""

    shape: str
    colour: str | None
    size: str
    centre: tuple[float, float]
    n_pixels: int


# ---------------------------------------------------------------- templates

def _template(shape: str, side: int) -> np.ndarray:
    """Pixels whose centres fall in the shape drawn in a side×side box (the definition in `shapes`)."""
    c = np.arange(side) + 0.5
    x, y = np.meshgrid(c, c)
    if shape == "square":
        return np.ones((side, side), dtype=bool)
    if shape == "circle":
        return np.hypot(x - side / 2, y - side / 2) <= side / 2
    height = side * math.sqrt(3) / 2
    base_y, apex = (side + height) / 2, (side / 2, (side - height) / 2)
    corners = [(0.0, base_y), (float(side), base_y), apex]  # counter-clockwise on screen (y down)
    inside = np.ones((side, side), dtype=bool)
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        inside &= (bx - ax) * (y - ay) - (by - ay) * (x - ax) <= 0  # on the interior side of edge a -> b
    return inside


def _crop(mask: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """The mask cropped to its bounding box, and that box's centre (x, y) in the uncropped mask."""
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return mask[r0:r1, c0:c1], ((c0 + c1) / 2, (r0 + r1) / 2)


def _build_templates() -> dict[tuple[str, int], tuple[np.ndarray, tuple[float, float]]]:
    """(shape, side) -> (template cropped to its bounding box, offset from that box's centre to the object's)."""
    out = {}
    for shape in SHAPES:
        for side in SIZES.values():
            mask, (cx, cy) = _crop(_template(shape, side))
            out[shape, side] = (mask, (float(side / 2 - cx), float(side / 2 - cy)))
    return out


_TEMPLATES = _build_templates()


def _iou_centred(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two masks placed with their centres (rounded down) on one another."""
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pa, pb = np.zeros((h, w), dtype=bool), np.zeros((h, w), dtype=bool)
    for pad, m in ((pa, a), (pb, b)):
        r, c = (h - m.shape[0]) // 2, (w - m.shape[1]) // 2
        pad[r:r + m.shape[0], c:c + m.shape[1]] = m
    return float((pa & pb).sum() / (pa | pb).sum())


# ---------------------------------------------------------------- reading

def _as_hwc(images: Any, batched: bool) -> np.ndarray:
    """uint8 (N×)H×W×3 from numpy/torch (N×)3×H×W or (N×)H×W×3; floats are model space [-1, 1]."""
    x = images.detach().cpu().numpy() if hasattr(images, "detach") else np.asarray(images)
    want = 4 if batched else 3
    if x.ndim != want or 3 not in (x.shape[-3], x.shape[-1]):
        raise DataError(f"shapes checker: expected {'N×' if batched else ''}3×H×W or {'N×' if batched else ''}"
                        f"H×W×3 RGB images, got shape {x.shape}")
    if x.shape[-1] != 3:
        x = np.moveaxis(x, -3, -1)
    if x.dtype != np.uint8:  # model space, as generators emit it
        x = np.clip(np.rint((x.astype(np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)
    return x


def _read_component(rgb: np.ndarray, comp: np.ndarray, top: int, left: int) -> Detected:
    """Attributes of one component: rgb and comp are its bounding box's crop; (top, left) its corner."""
    bits = rgb[comp] > THRESHOLD
    codes = np.bincount(bits[:, 0] * 4 + bits[:, 1] * 2 + bits[:, 2], minlength=8)
    votes = {name: int(codes[code]) for code, name in _COLOUR_OF_CODE.items()}
    colour = max(votes, key=votes.__getitem__) if any(votes.values()) else None
    extent = max(comp.shape)
    side, size = min(_SIZE_BY_SIDE, key=lambda sn: abs(sn[0] - extent))
    scores = {shape: _iou_centred(comp, _TEMPLATES[shape, side][0]) for shape in SHAPES}
    shape = max(SHAPES, key=scores.__getitem__)
    ox, oy = _TEMPLATES[shape, side][1]
    centre = (left + comp.shape[1] / 2 + ox, top + comp.shape[0] / 2 + oy)
    return Detected(shape, colour, size, centre, int(comp.sum()))


def _read_batch(hwc: np.ndarray) -> list[list[Detected]]:
    """read_objects for every image of an N×H×W×3 uint8 batch, labelled in one call."""
    structure = np.zeros((3, 3, 3), dtype=bool)
    structure[1] = True  # 8-connected within an image, never across images
    labels, _ = ndimage.label(hwc.max(axis=3) > THRESHOLD, structure=structure)
    out: list[list[Detected]] = [[] for _ in range(len(hwc))]
    for k, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        n, rows, cols = box[0].start, box[1], box[2]
        comp = labels[n, rows, cols] == k
        if comp.sum() >= MIN_PIXELS:
            out[n].append(_read_component(hwc[n, rows, cols], comp, rows.start, cols.start))
    for dets in out:
        dets.sort(key=lambda d: -d.n_pixels)  # stable: equal sizes keep scan order
    return out


def read_objects(image: Any) -> list[Detected]:
    """The objects in one image (uint8 H×W×3 or 3×H×W; floats read as [-1, 1]), largest first."""
    return _read_batch(_as_hwc(image, batched=False)[None])[0]


# ---------------------------------------------------------------- checking

def _agree(det: Detected | None, obj: tuple[str, str, str]) -> dict[str, bool]:
    size, colour, shape = obj
    if det is None:
        return {"colour": False, "shape": False, "size": False}
    return {"colour": det.colour == colour, "shape": det.shape == shape, "size": det.size == size}


def _relation_holds(first: Detected | None, second: Detected | None, relation: str) -> bool:
    if first is None or second is None:
        return False
    axis, sign = _SIGN[relation]
    return (first.centre[axis] - second.centre[axis]) * sign > 0


def _judge(dets: list[Detected], parsed: ParsedCaption) -> dict[str, bool | None]:
    """Compare detections (largest first) with a parsed caption; see `check`."""
    k = len(parsed.objects)
    top: list[Detected | None] = [*dets[:k], *[None] * (k - len(dets[:k]))]
    best: tuple[tuple[int, bool], dict[str, bool | None]] | None = None
    for order in itertools.permutations(top):  # caption object i <- order[i]
        agree = [_agree(d, obj) for d, obj in zip(order, parsed.objects, strict=True)]
        rel = _relation_holds(order[0], order[1], parsed.relation) if k == 2 and parsed.relation else None
        # most agreeing attributes wins; on a tie the reading in which the relation holds
        key = (sum(sum(a.values()) for a in agree), bool(rel))
        if best is None or key > best[0]:
            best = (key, {part: all(a[part] for a in agree) for part in ("colour", "shape", "size")}
                    | {"relation": rel})
    assert best is not None
    return best[1] | {"count": len(dets) == k}


def check(image: Any, caption: str | ParsedCaption) -> dict[str, bool | None]:
    """Whether an image shows its caption: colour, shape, size, relation (None for one object), count.

    One object: the largest detection is compared. Two: the two largest, matched to the caption's objects
    by the assignment with more agreeing attributes; the relation holds when the matched centres differ
    with the right sign on its axis. A missing detection makes its object's attributes False.
    """
    parsed = caption if isinstance(caption, ParsedCaption) else parse_caption(caption)
    return _judge(read_objects(image), parsed)


def attribute_accuracy(images: Any, captions: list[str]) -> dict[str, float]:
    """Share of images right per part (relation over two-object captions only, NaN without any) and in "all".

    images: uint8 N×3×H×W or N×H×W×3 (floats read as model space [-1, 1]); captions: one per image.
    """
    hwc = _as_hwc(images, batched=True)
    if len(hwc) != len(captions):
        raise DataError(f"attribute_accuracy: {len(hwc)} images but {len(captions)} captions; pass one per image")
    if len(hwc) == 0:
        raise DataError("attribute_accuracy: got no images")
    results = [_judge(d, parse_caption(c)) for d, c in zip(_read_batch(hwc), captions, strict=True)]
    out = {}
    for part in PARTS:
        values = [r[part] for r in results if r[part] is not None]
        out[part] = float(np.mean(values)) if values else float("nan")
    out["all"] = float(np.mean([all(v for v in r.values() if v is not None) for r in results]))
    return out
