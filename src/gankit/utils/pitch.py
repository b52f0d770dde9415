"""Pitch facts shared by the music data and its metrics: the note-array format, keys and scales.

A piece is a note array: int64 (n, 3) with columns (pitch, onset, duration), MIDI pitch 0..127,
onset and duration in time steps of the quantisation grid, sorted by (onset, pitch). Keys are
estimated with the Krumhansl–Schmuckler algorithm (Krumhansl 1990): the duration-weighted
pitch-class histogram is correlated with the Krumhansl–Kessler major and minor profiles rotated to
each of the 12 tonics, and the best of the 24 wins.
"""

from __future__ import annotations

import numpy as np

PITCH, ONSET, DURATION = 0, 1, 2
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Krumhansl & Kessler (1982) probe-tone ratings, tonic first
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10, 11)  # natural minor with the raised leading tone (harmonic minor's 7th)

Key = tuple[int, str]  # (tonic pitch class 0..11, 'major' | 'minor')


def empty_notes() -> np.ndarray:
    """A note array with no notes."""
    return np.zeros((0, 3), dtype=np.int64)


def sort_notes(notes: np.ndarray) -> np.ndarray:
    """The notes sorted by onset, then pitch (the canonical order)."""
    notes = np.asarray(notes, dtype=np.int64).reshape(-1, 3)
    return notes[np.lexsort((notes[:, PITCH], notes[:, ONSET]))]


def pitch_class_histogram(notes: np.ndarray, weighted: bool = True) -> np.ndarray:
    """The 12-bin pitch-class histogram (weighted by duration unless told otherwise), unnormalised."""
    notes = np.asarray(notes).reshape(-1, 3)
    weights = notes[:, DURATION] if weighted else np.ones(len(notes))
    return np.bincount(notes[:, PITCH] % 12, weights=weights, minlength=12).astype(np.float64)


def estimate_key(notes: np.ndarray) -> Key:
    """The key of a piece by Krumhansl–Schmuckler; a piece with no notes is in C major."""
    hist = pitch_class_histogram(notes)
    if hist.sum() == 0 or np.ptp(hist) == 0:
        return 0, "major"
    best, best_r = (0, "major"), -np.inf
    for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for tonic in range(12):
            r = np.corrcoef(hist, np.roll(profile, tonic))[0, 1]
            if r > best_r:
                best, best_r = (tonic, mode), r
    return best


def key_name(key: Key) -> str:
    """'C major', 'F# minor', ..."""
    return f"{NOTE_NAMES[key[0]]} {key[1]}"


def scale_pitch_classes(key: Key) -> frozenset[int]:
    """The pitch classes of the key's scale (major, or minor with its raised leading tone)."""
    tonic, mode = key
    return frozenset((tonic + d) % 12 for d in (MAJOR_SCALE if mode == "major" else MINOR_SCALE))


def shift_to_c(key: Key) -> int:
    """The transposition in semitones (−5..+6) that takes the key to C major or A minor, whichever it is."""
    target = 0 if key[1] == "major" else 9
    return (target - key[0] + 6) % 12 - 6


def transpose(notes: np.ndarray, semitones: int) -> np.ndarray:
    """The notes moved by `semitones`; pitches must stay within MIDI's 0..127 (ValueError otherwise)."""
    out = np.array(notes, dtype=np.int64).reshape(-1, 3)
    out[:, PITCH] += int(semitones)
    if len(out) and (out[:, PITCH].min() < 0 or out[:, PITCH].max() > 127):
        raise ValueError(f"transposing by {semitones} semitones leaves MIDI's pitch range 0..127")
    return out
