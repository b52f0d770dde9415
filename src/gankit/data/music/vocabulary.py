"""The word <-> id table: <unk> first, then the training words seen at least min_count times."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from gankit.data.music.words import UNK, decode_words


@dataclass(frozen=True)
class Vocabulary:
    """Words by id: id 0 is <unk>, which every word outside the table maps to (and which decodes as silence)."""

    words: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = tuple(self.words)
        if not words or words[0] != UNK:
            raise ValueError(f"a vocabulary starts with {UNK!r}, got {words[:1]}")
        if len(set(words)) != len(words):
            raise ValueError("a vocabulary lists each word once")
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "index", {w: i for i, w in enumerate(words)})

    @classmethod
    def from_counts(cls, counts: Counter, min_count: int = 1) -> Vocabulary:
        """<unk>, then the words counted at least min_count times, most frequent first (ties by string)."""
        kept = sorted((w for w, c in counts.items() if c >= min_count and w != UNK), key=lambda w: (-counts[w], w))
        return cls((UNK, *kept))

    @classmethod
    def from_words(cls, words: Iterable[str], min_count: int = 1) -> Vocabulary:
        """The vocabulary of a stream of words (see from_counts)."""
        return cls.from_counts(Counter(words), min_count)

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, words: Iterable[str]) -> np.ndarray:
        """int64 ids of the words; unknown words become 0 (<unk>)."""
        return np.fromiter((self.index.get(w, 0) for w in words), dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray | torch.Tensor) -> list[str]:
        """The words of a sequence of ids; an id outside the table is a ValueError."""
        ids = _as_numpy(ids).reshape(-1)
        if len(ids) and (ids.min() < 0 or ids.max() >= len(self.words)):
            raise ValueError(f"token ids must lie in 0..{len(self.words) - 1}, got {ids.min()}..{ids.max()}")
        return [self.words[i] for i in ids.tolist()]


def _as_numpy(ids: Sequence[int] | np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(ids, torch.Tensor):
        return ids.detach().cpu().numpy().astype(np.int64)
    return np.asarray(ids, dtype=np.int64)


def decode_tokens(ids: Sequence[int] | np.ndarray | torch.Tensor, vocabulary: Vocabulary | Sequence[str],
                  representation: str = "word") -> np.ndarray:
    """The note array a sequence of token ids spells (<unk> is silence); vocabulary may be its word list."""
    if not isinstance(vocabulary, Vocabulary):
        vocabulary = Vocabulary(tuple(vocabulary))
    return decode_words(vocabulary.decode(ids), representation)
