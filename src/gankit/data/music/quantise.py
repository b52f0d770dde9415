"""Snap notes timed in quarter notes onto the step grid, and make note arrays canonical.

onset = round(onset · steps_per_quarter), end likewise (halves round up), duration = max(1, end − onset).
A canonical note array (gankit.utils.pitch's format) has no two notes of one pitch at one onset (the
longest is kept) and no note of a pitch still sounding when the same pitch is struck again (it is cut
there), so every step holds each pitch at most once and the token round trip is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gankit.utils.pitch import DURATION, ONSET, PITCH, empty_notes, sort_notes

DEFAULT_TIME_SIGNATURE = (4, 4)


def _to_steps(quarters: np.ndarray, steps_per_quarter: int) -> np.ndarray:
    return np.floor(np.asarray(quarters, dtype=np.float64) * steps_per_quarter + 0.5).astype(np.int64)


def canonical_notes(notes: np.ndarray) -> np.ndarray:
    """The notes with (pitch, onset) duplicates merged (longest kept) and same-pitch overlaps cut, sorted."""
    notes = np.asarray(notes, dtype=np.int64).reshape(-1, 3)
    if not len(notes):
        return empty_notes()
    # by pitch, then onset, longest first: the first of each (pitch, onset) run is the one to keep
    notes = notes[np.lexsort((-notes[:, DURATION], notes[:, ONSET], notes[:, PITCH]))]
    first = np.ones(len(notes), dtype=bool)
    first[1:] = (notes[1:, PITCH] != notes[:-1, PITCH]) | (notes[1:, ONSET] != notes[:-1, ONSET])
    notes = notes[first].copy()
    same_pitch_next = np.zeros(len(notes), dtype=bool)
    same_pitch_next[:-1] = notes[1:, PITCH] == notes[:-1, PITCH]
    room = np.full(len(notes), np.iinfo(np.int64).max)
    room[:-1] = notes[1:, ONSET] - notes[:-1, ONSET]
    notes[:, DURATION] = np.where(same_pitch_next, np.minimum(notes[:, DURATION], room), notes[:, DURATION])
    return sort_notes(notes)


def quantise_notes(pitches: Sequence[int], onsets: Sequence[float], ends: Sequence[float],
                   steps_per_quarter: int) -> np.ndarray:
    """A canonical note array from pitches and onset/end times in quarter notes."""
    pitches = np.asarray(pitches, dtype=np.int64)
    if not len(pitches):
        return empty_notes()
    onset = _to_steps(onsets, steps_per_quarter)
    end = _to_steps(ends, steps_per_quarter)
    notes = np.stack([pitches, onset, np.maximum(1, end - onset)], axis=1)
    return canonical_notes(notes)


def quantise_line(events: Sequence[tuple[Sequence[int], float, float]], steps_per_quarter: int) -> np.ndarray:
    """One voice's events (pitches, onset, end in quarter notes, in score order) on the grid, still one line.

    An event whose onset lands on the step of an earlier one (an ornament shorter than a step) is
    dropped, and each event ends by the next one's onset: a voice never sounds twice at once.
    """
    kept: list[tuple[Sequence[int], int, int]] = []
    for pitches, onset, end in events:
        start, stop = (int(v) for v in _to_steps([onset, end], steps_per_quarter))
        if kept and start <= kept[-1][1]:
            continue
        if kept:
            prev = kept[-1]
            kept[-1] = (prev[0], prev[1], min(prev[2], start))
        kept.append((pitches, start, max(stop, start + 1)))
    rows = [[p, start, max(1, stop - start)] for pitches, start, stop in kept for p in pitches]
    return canonical_notes(np.array(rows, dtype=np.int64).reshape(-1, 3))


def steps_per_bar(numerator: int, denominator: int, steps_per_quarter: int) -> int:
    """Grid steps in a bar of the time signature numerator/denominator (at least 1)."""
    return max(1, round(numerator * 4 / denominator * steps_per_quarter))
