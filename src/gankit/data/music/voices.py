"""Keep at most max_voices notes sounding at once: outer voices first, whole notes dropped."""

from __future__ import annotations

import numpy as np

from gankit.utils.pitch import DURATION, ONSET, PITCH, sort_notes


def outer_first(pitches: list[int]) -> list[int]:
    """Positions of the pitches ranked outer voices first: highest, lowest, next-highest, next-lowest, ..."""
    order = sorted(range(len(pitches)), key=lambda i: pitches[i])
    ranked = []
    lo, hi = 0, len(order) - 1
    while lo <= hi:
        ranked.append(order[hi])
        if lo != hi:
            ranked.append(order[lo])
        lo, hi = lo + 1, hi - 1
    return ranked


def limit_voices(notes: np.ndarray, max_voices: int | None) -> tuple[np.ndarray, int]:
    """The notes with at most max_voices sounding at any step, and how many notes were dropped.

    Steps are visited in time order; where too many notes sound, the outer voices are kept and the
    inner ones dropped for their whole duration (so no note is cut short). Dropping only ever lowers the
    count at other steps, so one pass suffices. max_voices=None keeps every note.
    """
    notes = sort_notes(notes)
    if max_voices is None or len(notes) <= max_voices:
        return notes, 0
    ends = notes[:, ONSET] + notes[:, DURATION]
    keep = np.ones(len(notes), dtype=bool)
    active: list[int] = []
    i = 0
    while i < len(notes):
        t = notes[i, ONSET]
        active = [k for k in active if ends[k] > t]
        while i < len(notes) and notes[i, ONSET] == t:
            active.append(i)
            i += 1
        if len(active) > max_voices:
            ranked = outer_first([int(notes[k, PITCH]) for k in active])
            for pos in ranked[max_voices:]:
                keep[active[pos]] = False
            active = [active[pos] for pos in ranked[:max_voices]]
    return notes[keep], int((~keep).sum())
