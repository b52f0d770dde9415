"""Transpositions of whole pieces: to C major / A minor by estimated key, or all 12 keys for augmentation."""

from __future__ import annotations

import numpy as np

from gankit.utils.pitch import PITCH, estimate_key, shift_to_c, transpose

AUGMENT_SHIFTS = tuple(range(-5, 7))  # every key once: −5..+6 semitones


def fits(notes: np.ndarray, semitones: int) -> bool:
    """Whether the notes moved by `semitones` stay within MIDI's 0..127."""
    notes = np.asarray(notes).reshape(-1, 3)
    return not len(notes) or (notes[:, PITCH].min() + semitones >= 0 and notes[:, PITCH].max() + semitones <= 127)


def to_c(notes: np.ndarray) -> tuple[np.ndarray, int]:
    """The notes moved to C major or A minor by their estimated key (an octave off if needed), and the shift."""
    shift = shift_to_c(estimate_key(notes))
    for candidate in (shift, shift - 12, shift + 12):
        if fits(notes, candidate):
            return transpose(notes, candidate), candidate
    return np.array(notes, dtype=np.int64).reshape(-1, 3), 0  # spans nearly all of 0..127: leave it


def augmentations(notes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(shift, notes) for every shift in −5..+6 semitones that keeps the notes within 0..127."""
    return [(s, transpose(notes, s)) for s in AUGMENT_SHIFTS if fits(notes, s)]
