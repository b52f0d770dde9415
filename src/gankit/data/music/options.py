"""The options that shape music data (grid, transposition, tokens, windows, split), validated on creation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from gankit.errors import DataError

SPLITS = ("train", "val", "test")
SPLIT_ALIASES = {"validation": "val", "valid": "val"}
TRANSPOSE_CHOICES = ("none", "c", "augment")
REPRESENTATIONS = ("word", "set")
STEPS_PER_QUARTER = (1, 2, 4)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise DataError(message)


@dataclass(frozen=True)
class MusicOptions:
    """How pieces become token windows; the field names match the config's music section.

    steps_per_quarter: the grid (1 = quarters, 2 = eighths, 4 = sixteenths). transpose: none | c (each
    piece to C major / A minor by its estimated key) | augment (training pieces in all 12 keys −5..+6,
    val/test untouched). representation: word (sounding pitches marked struck or held) | set (sounding
    pitches only). window: tokens per sequence; stride: between window starts (None = window // 2).
    min_count: rarer training words become <unk>. max_voices: notes beyond this many at once are dropped.
    val/test: fractions of pieces held out; split_seed: the split's own seed (not the run's).
    """

    steps_per_quarter: int = 2
    transpose: str = "c"
    representation: str = "word"
    window: int = 32
    stride: int | None = None
    min_count: int = 2
    max_voices: int = 4
    val: float = 0.1
    test: float = 0.1
    split_seed: int = 0

    def __post_init__(self) -> None:
        _need(self.steps_per_quarter in STEPS_PER_QUARTER and _is_int(self.steps_per_quarter),
              f"music.steps_per_quarter={self.steps_per_quarter!r}: use 1 (quarters), 2 (eighths) or 4 (sixteenths)")
        _need(self.transpose in TRANSPOSE_CHOICES,
              f"music.transpose={self.transpose!r}: use one of {', '.join(TRANSPOSE_CHOICES)}")
        _need(self.representation in REPRESENTATIONS,
              f"music.representation={self.representation!r}: use word (struck/held marks) or set (pitches only)")
        _need(_is_int(self.window) and self.window >= 2, f"music.window={self.window!r}: give an integer ≥ 2 tokens")
        _need(self.stride is None or (_is_int(self.stride) and self.stride >= 1),
              f"music.stride={self.stride!r}: give an integer ≥ 1, or null for window // 2")
        _need(_is_int(self.min_count) and self.min_count >= 1, f"music.min_count={self.min_count!r}: give an integer ≥ 1")
        _need(_is_int(self.max_voices) and self.max_voices >= 1,
              f"music.max_voices={self.max_voices!r}: give an integer ≥ 1 (4 for chorales)")
        for key in ("val", "test"):
            value = getattr(self, key)
            _need(isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1,
                  f"music.{key}={value!r}: give a fraction of pieces in [0, 1), e.g. 0.1")
        _need(self.val + self.test < 1, f"music.val + music.test = {self.val + self.test:g} leaves no training pieces; "
                                        "keep their sum below 1")
        _need(_is_int(self.split_seed), f"music.split_seed={self.split_seed!r}: give an integer")

    @property
    def hop(self) -> int:
        """The stride in effect: `stride`, or window // 2 when it is None."""
        return self.stride if self.stride is not None else max(1, self.window // 2)


def resolve_split(split: str) -> str:
    """'train', 'val' or 'test' ('validation' is accepted for 'val'); anything else is a DataError."""
    split = SPLIT_ALIASES.get(split, split)
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r} for music data; use train, val (or validation) or test")
    return split


def music_options(value: MusicOptions | Mapping[str, Any] | None) -> MusicOptions:
    """MusicOptions from itself, a mapping of its fields (e.g. the config's music data keys) or None (defaults)."""
    if value is None:
        return MusicOptions()
    if isinstance(value, MusicOptions):
        return value
    valid = [f.name for f in fields(MusicOptions)]
    unknown = sorted(set(value) - set(valid))
    if unknown:
        raise DataError(f"unknown music option(s) {', '.join(unknown)}; valid: {', '.join(valid)}")
    return MusicOptions(**value)
