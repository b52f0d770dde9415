"""'scales': a tiny synthetic music language whose grammar can be checked, for learning tests.

A sentence is a monophonic line of `window` steps. Its pattern is a major scale, or a major or minor
triad arpeggio, of a seeded key; its pitch ladder is every pitch of that pattern within LOW..HIGH
(MIDI 60..76). It starts on a seeded rung going up or down, moves one rung per note and turns around
only at the ladder's ends, and every note lasts the same `rate` (1 or 2 steps; the last note may be
cut by the window's end). valid_share checks a sequence against that grammar: some pattern and key
whose ladder holds every pitch, rests nowhere, and every rule above. The vocabulary is at most
<unk> + 17 pitches × {struck, held} = 35 words, so a uniform random sequence is valid with
vanishingly small probability, while every training sentence is valid by construction.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from gankit.data.music.corpus import MusicCorpus, build_corpus
from gankit.data.music.options import MusicOptions, music_options
from gankit.data.music.piece import Piece
from gankit.data.music.vocabulary import Vocabulary, decode_tokens
from gankit.errors import DataError
from gankit.utils.pitch import DURATION, MAJOR_SCALE, ONSET, PITCH

LOW, HIGH = 60, 76
RATES = (1, 2)
PATTERNS = {"major scale": MAJOR_SCALE, "major triad": (0, 4, 7), "minor triad": (0, 3, 7)}
DEFAULT_SENTENCES = 2000


def ladder(tonic: int, intervals: tuple[int, ...], low: int = LOW, high: int = HIGH) -> tuple[int, ...]:
    """The pitches low..high whose pitch class lies in the pattern `intervals` above `tonic`."""
    return tuple(p for p in range(low, high + 1) if (p - tonic) % 12 in {i % 12 for i in intervals})


def ladders(low: int = LOW, high: int = HIGH) -> list[tuple[int, ...]]:
    """Every pattern in every key, as distinct ladders of at least two rungs."""
    found = {ladder(t, iv, low, high) for iv in PATTERNS.values() for t in range(12)}
    return sorted(r for r in found if len(r) >= 2)


def sentence(rng: np.random.Generator, window: int) -> np.ndarray:
    """One random sentence of the language as a note array of `window` steps."""
    rungs = ladder(int(rng.integers(12)), list(PATTERNS.values())[int(rng.integers(len(PATTERNS)))])
    i, step = int(rng.integers(len(rungs))), int(rng.choice([-1, 1]))
    rate = int(rng.choice(RATES))
    rows = []
    for k in range(math.ceil(window / rate)):
        rows.append([rungs[i], k * rate, min(rate, window - k * rate)])
        if not 0 <= i + step < len(rungs):
            step = -step  # turn around at the ladder's ends
        i += step
    return np.array(rows, dtype=np.int64)


def _follows(rungs: tuple[int, ...], pitches: list[int]) -> bool:
    """Whether the pitches climb the ladder one rung at a time, turning only at its ends."""
    place = {p: k for k, p in enumerate(rungs)}
    if any(p not in place for p in pitches):
        return False
    idx = [place[p] for p in pitches]
    if any(abs(b - a) != 1 for a, b in zip(idx, idx[1:])):
        return False
    return all(idx[j - 1] != idx[j + 1] or idx[j] in (0, len(rungs) - 1) for j in range(1, len(idx) - 1))


def is_sentence(notes: np.ndarray, length: int, all_ladders: list[tuple[int, ...]]) -> bool:
    """Whether a decoded note array is a valid sentence of `length` steps."""
    if not len(notes) or notes[0, ONSET] != 0:
        return False
    onsets, durations = notes[:, ONSET], notes[:, DURATION]
    if np.any(onsets[1:] != onsets[:-1] + durations[:-1]) or onsets[-1] + durations[-1] != length:
        return False  # a rest, a chord or a gap
    rate = int(durations[0])
    if rate not in RATES or np.any(durations[:-1] != rate) or durations[-1] != min(rate, length - onsets[-1]):
        return False
    pitches = notes[:, PITCH].tolist()
    return any(_follows(rungs, pitches) for rungs in all_ladders)


def valid_share(ids: torch.Tensor, dataset_meta: Mapping[str, Any]) -> float:
    """The share of token sequences (N×L ids) that are valid sentences of the scales language."""
    grammar = dataset_meta.get("grammar")
    if grammar is None:
        raise DataError("valid_share needs the meta of the 'scales' dataset (its 'grammar' entry); other data has none")
    vocabulary = Vocabulary(tuple(dataset_meta["vocabulary"]))
    all_ladders = ladders(grammar["low"], grammar["high"])
    rows = ids.detach().cpu().reshape(len(ids), -1).numpy() if isinstance(ids, torch.Tensor) else np.asarray(ids)
    if not len(rows):
        return 0.0
    valid = [is_sentence(decode_tokens(row, vocabulary, dataset_meta["representation"]), len(row), all_ladders)
             for row in rows]
    return float(np.mean(valid))


def scales_corpus(options: MusicOptions | Mapping[str, Any] | None = None, n: int | None = None) -> MusicCorpus:
    """n sentences (default 2000) of `options.window` steps, seeded by options.split_seed and split by sentence."""
    options = music_options(options)
    n = DEFAULT_SENTENCES if n is None else n
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DataError(f"scales: n={n!r} sentences; pass a positive integer (default {DEFAULT_SENTENCES})")
    # one monophonic line in its own key: no transposition, no voices to drop
    options = dataclasses.replace(options, transpose="none")
    rng = np.random.default_rng([options.split_seed, 7])
    pieces = [Piece(f"sentence-{k:05d}", sentence(rng, options.window), 4 * options.steps_per_quarter)
              for k in range(n)]
    grammar = {"low": LOW, "high": HIGH, "rates": list(RATES), "patterns": {k: list(v) for k, v in PATTERNS.items()}}
    return build_corpus("scales", pieces, options, "scales", {"source": "synthetic scales and arpeggios", "grammar": grammar})
