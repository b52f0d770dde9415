"""Notes <-> words: one word per grid step, naming the pitches that sound there.

Word syntax:
- "R": nothing sounds at this step (a rest);
- otherwise the sounding MIDI pitches in ascending order joined by ".", each followed by "~" when the
  note is held over from the previous step rather than struck at this one: "48.55~.64.67" is C3, E4
  and G4 struck with F3 held (the "word" representation: Lee et al. 2017's musical word);
- in the "set" representation there is no "~": a word is only the set of sounding pitches (a
  piano-roll column). Decoding joins a pitch sounding at consecutive steps into one note, so a note
  struck again right after the same note (a repeated note) merges with it: that is the set's loss.
- "<unk>" (a word missing from the vocabulary) decodes as silence, like "R".

Encoding a canonical note array (gankit.data.music.quantise) in the "word" representation and decoding
it gives back exactly the same (pitch, onset, duration) rows. A held word at the first step decoded
(e.g. the start of a window) starts its notes there.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from gankit.data.music.piece import note_length
from gankit.data.music.voices import limit_voices
from gankit.utils.pitch import DURATION, empty_notes, sort_notes

REST = "R"
UNK = "<unk>"
HELD = "~"
SEP = "."


def _word(entries: list[tuple[int, bool]], representation: str) -> str:
    if not entries:
        return REST
    marks = representation == "word"
    return SEP.join(f"{p}{HELD if held and marks else ''}" for p, held in sorted(entries))


def encode_notes(notes: np.ndarray, max_voices: int | None = None,
                 representation: str = "word") -> tuple[list[str], int]:
    """One word per step from 0 to the last note's end, and the number of notes dropped beyond max_voices."""
    _check_representation(representation)
    notes, dropped = limit_voices(notes, max_voices)
    steps: list[list[tuple[int, bool]]] = [[] for _ in range(note_length(notes))]
    for pitch, onset, duration in notes.tolist():
        steps[onset].append((pitch, False))
        for t in range(onset + 1, onset + duration):
            steps[t].append((pitch, True))
    return [_word(entries, representation) for entries in steps], dropped


def parse_word(word: str) -> list[tuple[int, bool]]:
    """The (pitch, held) pairs of a word; rests and <unk> give none. A malformed word is a ValueError."""
    if word in (REST, UNK):
        return []
    entries = []
    for part in word.split(SEP):
        held = part.endswith(HELD)
        digits = part[:-1] if held else part
        if not digits.isdigit() or not 0 <= int(digits) <= 127:
            raise ValueError(f"malformed music word {word!r}: expected MIDI pitches 0..127 joined by '.', e.g. 48.55~.64")
        entries.append((int(digits), held))
    return entries


def decode_words(words: Iterable[str], representation: str = "word") -> np.ndarray:
    """The note array (gankit.utils.pitch format) that a sequence of words spells."""
    _check_representation(representation)
    rows: list[list[int]] = []
    sounding: dict[int, int] = {}  # pitch -> row of the note that sounded at the previous step
    for t, word in enumerate(words):
        now: dict[int, int] = {}
        for pitch, held in parse_word(word):
            continues = held or representation == "set"
            if continues and pitch in sounding:
                rows[sounding[pitch]][DURATION] += 1
                now[pitch] = sounding[pitch]
            else:
                now[pitch] = len(rows)
                rows.append([pitch, t, 1])
        sounding = now
    return sort_notes(np.array(rows, dtype=np.int64)) if rows else empty_notes()


def _check_representation(representation: str) -> None:
    if representation not in ("word", "set"):
        raise ValueError(f"representation {representation!r}: use 'word' or 'set'")

