"""Pieces -> a tokenised corpus: screen, limit voices, split by piece, transpose, encode, vocabulary, windows.

The vocabulary always comes from the training split (after augmentation), whichever split is asked
for, so token ids agree across splits. `MusicCorpus.dataset(split)` gives the ArrayDataset of that
split's windows; `MusicCorpus.pieces(split)` gives its whole pieces decoded back from the tokens (what
the model sees: dropped voices gone, <unk> silent) for statistics over whole pieces.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.data.music.checks import drop_empty, drop_short, report_dropped
from gankit.data.music.options import SPLITS, MusicOptions, resolve_split
from gankit.data.music.piece import Piece
from gankit.data.music.split import split_names
from gankit.data.music.transposition import augmentations, to_c
from gankit.data.music.vocabulary import Vocabulary, decode_tokens
from gankit.data.music.voices import limit_voices
from gankit.data.music.windows import cut_windows, window_offsets
from gankit.data.music.words import encode_notes
from gankit.errors import DataError

CLASS_NAMES = ["music"]


@dataclass
class SplitTokens:
    """One split: its piece names (what y indexes), and per token sequence its piece index and ids."""

    names: list[str]
    labels: list[int]
    sequences: list[np.ndarray]


@dataclass
class MusicCorpus:
    """Every split of a music source as token sequences, with the shared vocabulary and the meta facts."""

    name: str
    options: MusicOptions
    vocabulary: Vocabulary
    splits: dict[str, SplitTokens]
    meta: dict[str, Any]

    def _split(self, split: str) -> tuple[str, SplitTokens]:
        split = resolve_split(split)
        part = self.splits[split]
        if not part.names:
            total = sum(len(p.names) for p in self.splits.values())
            raise DataError(f"{self.name}: the {split} split has no pieces (music.{split}={getattr(self.options, split)} "
                            f"of {total} pieces);\nraise music.{split} or add pieces")
        return split, part

    def dataset(self, split: str = "train") -> ArrayDataset:
        """The split's windows: x int64 (N, window) token ids, y int64 the piece index within the split."""
        _, part = self._split(split)
        x, y = cut_windows(part.sequences, part.labels, self.options.window, self.options.hop)
        return ArrayDataset(x=torch.from_numpy(x), y=torch.from_numpy(y), class_names=list(CLASS_NAMES),
                            kind="tokens", name=self.name, meta=dict(self.meta))

    def pieces(self, split: str = "train") -> list[np.ndarray]:
        """The split's whole token sequences decoded to note arrays (one per transposition when augmented)."""
        _, part = self._split(split)
        return [decode_tokens(ids, self.vocabulary, self.options.representation) for ids in part.sequences]


def _versions(notes: np.ndarray, transpose: str, train: bool) -> list[np.ndarray]:
    """The forms of a piece that become token sequences: as is, moved to C, or all 12 keys (training only)."""
    if transpose == "c":
        return [to_c(notes)[0]]
    if transpose == "augment" and train:
        return [moved for _, moved in augmentations(notes)]
    return [notes]


def _split_words(names: Sequence[str], by_name: dict[str, Piece], options: MusicOptions,
                 train: bool) -> list[tuple[int, list[str]]]:
    """(piece index, words) for every token sequence of a split."""
    out = []
    for label, name in enumerate(names):
        for notes in _versions(by_name[name].notes, options.transpose, train):
            out.append((label, encode_notes(notes, None, options.representation)[0]))
    return out


def _counts(part: SplitTokens, options: MusicOptions) -> dict[str, Any]:
    tokens = sum(len(s) for s in part.sequences)
    unk = sum(int((s == 0).sum()) for s in part.sequences)
    windows = sum(len(window_offsets(len(s), options.window, options.hop)) for s in part.sequences)
    return {"pieces": len(part.names), "sequences": len(part.sequences), "windows": windows,
            "unk_share": round(unk / tokens, 6) if tokens else 0.0}


def _common_bar(pieces: Sequence[Piece]) -> int:
    counts = Counter(p.steps_per_bar for p in pieces)
    return int(max(counts, key=lambda bar: (counts[bar], -bar)))


def _limit(pieces: Sequence[Piece], max_voices: int) -> tuple[list[Piece], dict[str, int]]:
    limited, dropped = [], {}
    for piece in pieces:
        notes, k = limit_voices(piece.notes, max_voices)
        limited.append(dataclasses.replace(piece, notes=notes))
        dropped[piece.name] = k
    return limited, dropped


def build_corpus(name: str, pieces: Sequence[Piece], options: MusicOptions, where: str,
                 extra_meta: dict[str, Any] | None = None) -> MusicCorpus:
    """Tokenise pieces into a corpus; `where` names the source in warnings and errors (e.g. the folder)."""
    names = [p.name for p in pieces]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: piece names must be unique")
    pieces, empty = drop_empty(pieces, where)
    pieces, short = drop_short(pieces, options.window, where)
    pieces, dropped = _limit(pieces, options.max_voices)
    dropped_meta = report_dropped(dropped, options.max_voices)
    by_name = {p.name: p for p in pieces}
    split = split_names(by_name, options.val, options.test, options.split_seed)
    words = {s: _split_words(split[s], by_name, options, train=s == "train") for s in SPLITS}
    vocabulary = Vocabulary.from_words(chain.from_iterable(w for _, w in words["train"]), options.min_count)
    splits = {s: SplitTokens(split[s], [label for label, _ in words[s]], [vocabulary.encode(w) for _, w in words[s]])
              for s in SPLITS}
    meta = {**(extra_meta or {}), "vocabulary": list(vocabulary.words), "representation": options.representation,
            "steps_per_quarter": options.steps_per_quarter, "steps_per_bar": _common_bar(pieces),
            "window": options.window, "stride": options.hop, "transpose": options.transpose,
            "min_count": options.min_count, "max_voices": options.max_voices,
            "split": {"seed": options.split_seed, **split},
            "counts": {s: _counts(splits[s], options) for s in SPLITS},
            "dropped_notes": dropped_meta, "skipped": {"empty": empty, "short": short}}
    return MusicCorpus(name, options, vocabulary, splits, meta)
