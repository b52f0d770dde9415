"""Captions split into words, and the vocabulary that turns them into ids for the in-house text encoder."""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from gankit.errors import DataError, GankitWarning

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<bos>", "<eos>")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")  # "t-shirt" and "women's" stay one word
_SHOWN = 5


class CaptionError(DataError):
    """A caption the text encoder cannot take: empty, or with words it does not know."""


def split_words(text: str) -> list[str]:
    """Lower-case words of a caption ([a-z0-9]+, joined by inner - or '); punctuation is dropped, accents folded."""
    # NFKD splits "é" into "e" + a combining accent; dropping the accents keeps "crème" one word, "creme"
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _WORD.findall(folded)


def check_caption(text: str, index: int | None = None) -> list[str]:
    """The caption's words, or CaptionError when it has none (empty, blank, or only punctuation)."""
    name = "caption" if index is None else f"caption {index}"
    if not isinstance(text, str):
        raise CaptionError(f"{name} is {type(text).__name__}, not text: give each sample a string caption")
    words = split_words(text)
    if not words:
        shown = f" ({text!r})" if text.strip() else ""
        raise CaptionError(f"{name}{shown} is empty: give at least one word")
    return words


def _first(items: Sequence[str], n: int = _SHOWN) -> str:
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(repr(i) for i in items[:n]) + more


class Vocabulary:
    """Word ids for captions: 0 <pad>, 1 <bos>, 2 <eos>, then the training captions' words in sorted order."""

    def __init__(self, words: Iterable[str]):
        self.words = list(words)
        if len(set(self.words)) != len(self.words) or set(self.words) & set(SPECIALS):
            raise CaptionError("a vocabulary lists a word twice or a special token; rebuild it from the captions")
        self._ids = {w: i + len(SPECIALS) for i, w in enumerate(self.words)}

    @classmethod
    def from_captions(cls, captions: Iterable[str]) -> Vocabulary:
        """Every word of the captions, sorted, so the same captions always give the same ids."""
        found: set[str] = set()
        for i, text in enumerate(captions):
            found.update(check_caption(text, i))
        return cls(sorted(found))

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._ids

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, stored in a run folder so sampling needs no dataset."""
        return {"specials": list(SPECIALS), "words": list(self.words)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Vocabulary:
        """The vocabulary that to_dict() wrote."""
        if not isinstance(d, dict) or list(d.get("specials", [])) != list(SPECIALS) \
                or not all(isinstance(w, str) for w in d.get("words", [None])):
            raise CaptionError("the stored vocabulary is damaged (want {'specials': [...], 'words': [...]}); "
                               "retrain, or restore the run folder's copy")
        return cls(d["words"])

    def encode(self, captions: Sequence[str], max_words: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Word ids N×L (int64, padded with PAD, no BOS/EOS) and lengths N, L the longest kept caption.

        Captions longer than max_words keep their first max_words words, with a GankitWarning.
        """
        if not isinstance(max_words, int) or max_words < 1:
            raise CaptionError(f"max_words={max_words!r}: give a positive number of words")
        split = [check_caption(text, i) for i, text in enumerate(captions)]
        unknown = sorted({w for words in split for w in words if w not in self._ids})
        if unknown:
            first = next(i for i, words in enumerate(split) if any(w not in self._ids for w in words))
            raise CaptionError(f"unknown word(s) {_first(unknown)} (first in caption {first}): the in-house encoder knows "
                               f"only the {len(self.words)} words of its training captions; text.encoder=minilm accepts free text")
        for i, words in enumerate(split):
            if len(words) > max_words:
                warnings.warn(f"caption {i} was cut after word {max_words} ({words[max_words - 1]!r}); dropped "
                              f"{len(words) - max_words} word(s): {' '.join(words[max_words:max_words + _SHOWN])}"
                              f"{' ...' if len(words) > max_words + _SHOWN else ''}", GankitWarning, stacklevel=2)
        kept = [words[:max_words] for words in split]
        lengths = torch.tensor([len(k) for k in kept], dtype=torch.int64)
        ids = torch.full((len(kept), int(lengths.max()) if kept else 0), PAD, dtype=torch.int64)
        for i, words in enumerate(kept):
            ids[i, :len(words)] = torch.tensor([self._ids[w] for w in words], dtype=torch.int64)
        return ids, lengths

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """The words of one id sequence, stopping at EOS or PAD and skipping BOS (e.g. a captioner's output)."""
        out = []
        for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
            if i in (PAD, EOS):
                break
            if i >= len(SPECIALS):
                out.append(self.words[i - len(SPECIALS)])
        return " ".join(out)
