"""Shapes: a procedural captioned dataset of coloured circles, squares and triangles, for text-to-image games.

The exact definition (gankit issue 20), which `shapes_checker` reads back independently:
- 32×32 RGB on black (0, 0, 0); one or two objects, each fully inside, their bounding boxes at least
  MIN_GAP = 1 empty pixel apart (never overlapping, never touching).
- colour: PALETTE; size: small = 7-pixel, large = 14-pixel bounding box (side s) with top-left (x0, y0).
- a pixel (px, py) belongs to an object when its centre (px + 0.5, py + 0.5) lies in the shape drawn in the
  object's box: square = the whole box; circle = within s/2 of the box centre; triangle = equilateral,
  side s, pointing up, base horizontal and spanning the box, height s·√3/2, centred vertically in the box.
- caption: "a SIZE COLOUR SHAPE" or "a SIZE COLOUR SHAPE RELATION a SIZE COLOUR SHAPE"; the relation says
  where objects[0] is relative to objects[1], between box centres (x right, y down), dx = x0 - x1,
  dy = y0 - y1: "left of" when dx <= -RELATION_MARGIN and |dx| > |dy|; "right of" when dx >= RELATION_MARGIN
  and |dx| > |dy|; "above" / "below" alike on y. Two objects of one scene never share size, colour and shape.
- HELD_OUT colour–shape pairs never occur in the training split (train and test), and every held-out
  scene holds at least one of them: they measure compositional generalisation.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.errors import DataError

IMAGE_SIZE = 32
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "magenta": (255, 0, 255), "cyan": (0, 255, 255),
}
SHAPES = ("circle", "square", "triangle")
SIZES = {"small": 7, "large": 14}
RELATIONS = ("left of", "right of", "above", "below")
HELD_OUT = frozenset({("green", "triangle"), ("magenta", "circle"), ("cyan", "square")})
RELATION_MARGIN = 4  # pixels between the two box centres along the relation's axis, at least
MIN_GAP = 1  # empty pixels between two objects' bounding boxes, at least
CLASS_NAMES = ["one object", "two objects"]
DEFAULT_N = {"train": 20_000, "test": 5_000, "heldout": 5_000}
GRAMMAR = ("'a small|large COLOUR SHAPE', optionally followed by 'left of|right of|above|below a small|large "
           "COLOUR SHAPE'")

_PAIRS = tuple((c, s) for c in PALETTE for s in SHAPES)  # every colour–shape pair, palette order
_SIZE_NAMES = tuple(SIZES)


@dataclass(frozen=True)
class ShapeObject:
    """One object: its shape, colour, size name and the top-left pixel (x0, y0) of its side×side box."""

    shape: str
    colour: str
    size: str
    x0: int
    y0: int

    @property
    def side(self) -> int:
        """The side of the bounding box in pixels (7 or 14)."""
        return SIZES[self.size]

    @property
    def centre(self) -> tuple[float, float]:
        """(x, y) of the bounding box's centre, in pixel-edge coordinates (x0 + side/2, y0 + side/2)."""
        return (self.x0 + self.side / 2, self.y0 + self.side / 2)


@dataclass(frozen=True)
class Scene:
    """One image's content: objects, and where objects[0] is relative to objects[1] (None for one object)."""

    objects: tuple[ShapeObject, ...]
    relation: str | None = None


@dataclass(frozen=True)
class ParsedCaption:
    """A caption read back: (size, colour, shape) per object, and the relation (None for one object)."""

    objects: tuple[tuple[str, str, str], ...]
    relation: str | None = None


# ---------------------------------------------------------------- rasterisation

@functools.cache
def shape_mask(shape: str, side: int) -> np.ndarray:
    """The side×side boolean mask of a shape in its box: pixel centres inside the shape (read-only, cached)."""
    if shape not in SHAPES:
        raise DataError(f"unknown shape {shape!r}; use one of {list(SHAPES)}")
    c = np.arange(side) + 0.5
    px, py = np.meshgrid(c, c)  # px varies along a row, py down a column
    half = side / 2
    if shape == "square":
        mask = np.ones((side, side), dtype=bool)
    elif shape == "circle":
        mask = (px - half) ** 2 + (py - half) ** 2 <= half ** 2
    else:  # the triangle's half-width grows linearly from 0 at the apex to s/2 at the base
        height = side * math.sqrt(3) / 2
        top = (side - height) / 2
        mask = (py >= top) & (py <= top + height) & (np.abs(px - half) <= (py - top) / height * half)
    mask.setflags(write=False)
    return mask


def _paint(canvas: np.ndarray, scene: Scene) -> None:
    for obj in scene.objects:
        s = obj.side
        canvas[obj.y0:obj.y0 + s, obj.x0:obj.x0 + s][shape_mask(obj.shape, s)] = PALETTE[obj.colour]


def render(scene: Scene) -> np.ndarray:
    """Draw a scene: uint8 IMAGE_SIZE×IMAGE_SIZE×3 (H×W×RGB), black background."""
    canvas = np.zeros((IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    _paint(canvas, scene)
    return canvas


# ---------------------------------------------------------------- relations and layouts

def _relation_index(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Index into RELATIONS of the relation that holds for centre offsets (dx, dy), or -1 where none does."""
    ax, ay = np.abs(dx), np.abs(dy)
    out = np.full(np.shape(dx), -1, dtype=np.int64)
    horizontal = (ax > ay) & (ax >= RELATION_MARGIN)
    vertical = (ay > ax) & (ay >= RELATION_MARGIN)
    out[horizontal] = np.where(dx[horizontal] < 0, 0, 1)
    out[vertical] = np.where(dy[vertical] < 0, 2, 3)
    return out


def relation_between(first: ShapeObject, second: ShapeObject) -> str | None:
    """The relation of `first` to `second` by the margin rule (module docstring), or None when none holds."""
    (x0, y0), (x1, y1) = first.centre, second.centre
    k = int(_relation_index(np.array([x0 - x1]), np.array([y0 - y1]))[0])
    return RELATIONS[k] if k >= 0 else None


@functools.cache
def _layouts(side_a: int, side_b: int, relation: str) -> np.ndarray:
    """Every allowed (xa, ya, xb, yb) of two boxes: inside, MIN_GAP apart, and `relation` holding (K×4)."""
    ra, rb = np.arange(IMAGE_SIZE - side_a + 1), np.arange(IMAGE_SIZE - side_b + 1)
    xa, ya, xb, yb = (g.reshape(-1) for g in np.meshgrid(ra, ra, rb, rb, indexing="ij"))
    apart = ((xb >= xa + side_a + MIN_GAP) | (xa >= xb + side_b + MIN_GAP)
             | (yb >= ya + side_a + MIN_GAP) | (ya >= yb + side_b + MIN_GAP))
    dx = (xa + side_a / 2) - (xb + side_b / 2)
    dy = (ya + side_a / 2) - (yb + side_b / 2)
    ok = apart & (_relation_index(dx, dy) == RELATIONS.index(relation))
    return np.stack([xa[ok], ya[ok], xb[ok], yb[ok]], axis=1)


def _place(rng: np.random.Generator, attrs: tuple[tuple[str, str, str], ...], relation: str | None) -> Scene:
    """A layout drawn uniformly among the allowed ones for objects given as (size, colour, shape)."""
    if len(attrs) == 1:
        size, colour, shape = attrs[0]
        x0, y0 = (int(v) for v in rng.integers(0, IMAGE_SIZE - SIZES[size] + 1, size=2))
        return Scene((ShapeObject(shape, colour, size, x0, y0),), None)
    (size_a, colour_a, shape_a), (size_b, colour_b, shape_b) = attrs
    table = _layouts(SIZES[size_a], SIZES[size_b], relation)
    xa, ya, xb, yb = (int(v) for v in table[rng.integers(len(table))])
    return Scene((ShapeObject(shape_a, colour_a, size_a, xa, ya), ShapeObject(shape_b, colour_b, size_b, xb, yb)),
                 relation)


def random_scene(rng: np.random.Generator, split: str = "train", two_share: float = 0.5) -> Scene:
    """A random scene: two objects with probability two_share; attributes, relation and layout uniform.

    split "train": no object uses a HELD_OUT colour–shape pair; "heldout": at least one object does.
    Uniform over what is allowed: draws that break the split's rule or repeat an object are redrawn.
    """
    if split not in ("train", "heldout"):
        raise DataError(f"random_scene: unknown split {split!r}; use 'train' or 'heldout'")
    n = 2 if rng.random() < two_share else 1
    while True:
        sizes = rng.integers(0, len(_SIZE_NAMES), size=n)
        pairs = [_PAIRS[i] for i in rng.integers(0, len(_PAIRS), size=n)]
        held = [p in HELD_OUT for p in pairs]
        if (split == "train" and any(held)) or (split == "heldout" and not any(held)):
            continue
        attrs = tuple((_SIZE_NAMES[s], colour, shape) for s, (colour, shape) in zip(sizes, pairs, strict=True))
        if n == 2 and attrs[0] == attrs[1]:
            continue  # "a small red circle left of a small red circle" is just as true read backwards
        relation = RELATIONS[rng.integers(len(RELATIONS))] if n == 2 else None
        return _place(rng, attrs, relation)


# ---------------------------------------------------------------- captions

def caption_of(scene: Scene) -> str:
    """The scene's caption: 'a large red circle' or 'a small blue square left of a large yellow triangle'."""
    words = [f"a {o.size} {o.colour} {o.shape}" for o in scene.objects]
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {scene.relation} {words[1]}"


def _caption_error(text: str, words: list[str], i: int, expected: str) -> DataError:
    where = (f"word {i + 1} {words[i]!r} is not {expected}" if i < len(words)
             else f"it ends after {words[-1]!r}, expected {expected}" if words else "it is empty")
    return DataError(f"cannot read the shapes caption {text!r}: {where}.\nShapes captions read {GRAMMAR}.")


def parse_caption(text: str) -> ParsedCaption:
    """Read a caption of the shapes grammar (case and a final full stop ignored); DataError names the bad word."""
    words = str(text).strip().removesuffix(".").lower().split()
    objects: list[tuple[str, str, str]] = []
    relation: str | None = None
    i = 0
    while True:
        for expected, allowed in (("'a'", ("a",)), ("a size (small, large)", SIZES),
                                  (f"a colour ({', '.join(PALETTE)})", PALETTE), (f"a shape ({', '.join(SHAPES)})", SHAPES)):
            if i >= len(words) or words[i] not in allowed:
                raise _caption_error(text, words, i, expected)
            i += 1
        objects.append((words[i - 3], words[i - 2], words[i - 1]))
        if i == len(words):
            break
        if len(objects) == 2:
            raise _caption_error(text, words, i, "the end of the caption (two objects at most)")
        if words[i] in ("above", "below"):
            relation, i = words[i], i + 1
        elif words[i] in ("left", "right"):
            if i + 1 >= len(words) or words[i + 1] != "of":
                raise _caption_error(text, words, i + 1, "'of'")
            relation, i = f"{words[i]} of", i + 2
        else:
            raise _caption_error(text, words, i, "a relation (left of, right of, above, below)")
    return ParsedCaption(tuple(objects), relation)


INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}


def scene_key(caption: str) -> str:
    """One text per meaning: 'A left of B' and 'B right of A' (and 'X left of X', 'X right of X') share it."""
    parsed = parse_caption(caption)
    if parsed.relation is None:
        return " ".join(parsed.objects[0])
    (a, b), rel = parsed.objects, parsed.relation
    if b < a:
        a, b, rel = b, a, INVERSE[rel]
    if a == b:
        rel = min(rel, INVERSE[rel])
    return f"{' '.join(a)} {rel} {' '.join(b)}"


def scene_for_caption(caption: str | ParsedCaption, rng: np.random.Generator) -> Scene:
    """A random layout that realises a caption (any colour–shape pair, held-out ones included)."""
    parsed = caption if isinstance(caption, ParsedCaption) else parse_caption(caption)
    return _place(rng, parsed.objects, parsed.relation)


# ---------------------------------------------------------------- dataset

def load_shapes(split: str = "train", n: int | None = None, seed: int = 0) -> ArrayDataset:
    """The shapes dataset: x uint8 N×3×32×32, y = objects - 1 (int64), one caption per image.

    split "train" and "test" draw training combinations from separate streams (seed·3 + 0, seed·3 + 1);
    "heldout" (seed·3 + 2) holds at least one HELD_OUT pair per image. n defaults to DEFAULT_N[split].
    """
    if split not in DEFAULT_N:
        raise DataError(f"shapes has no split {split!r}; use one of {list(DEFAULT_N)}")
    n = DEFAULT_N[split] if n is None else n
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DataError(f"shapes: asked for n={n!r} images; pass a positive integer (e.g. --set data.n=20000)")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"shapes: seed {seed!r} is not a non-negative integer; pass e.g. seed=0")
    rng = np.random.default_rng(seed * 3 + list(DEFAULT_N).index(split))
    kind = "heldout" if split == "heldout" else "train"
    images = np.zeros((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    labels = np.empty(n, dtype=np.int64)
    captions = []
    for k in range(n):
        scene = random_scene(rng, kind)
        _paint(images[k], scene)
        labels[k] = len(scene.objects) - 1
        captions.append(caption_of(scene))
    return ArrayDataset(
        x=torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))),
        y=torch.from_numpy(labels),
        class_names=list(CLASS_NAMES),
        kind="image",
        name="shapes",
        meta={"captions": "shapes", "held_out": [list(p) for p in sorted(HELD_OUT)], "split": split, "seed": seed},
        captions=captions,
    )
