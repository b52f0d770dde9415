"""A piece of music on the step grid: its name, its notes and its bar length."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gankit.utils.pitch import DURATION, ONSET


@dataclass(frozen=True)
class Piece:
    """One piece: a canonical note array (gankit.utils.pitch format) named by its file stem or corpus name."""

    name: str
    notes: np.ndarray
    steps_per_bar: int

    @property
    def length(self) -> int:
        """Steps from 0 to the end of the last note (0 for a piece with no notes)."""
        return note_length(self.notes)


def note_length(notes: np.ndarray) -> int:
    """Steps from 0 to the end of the last note of a note array (0 when it is empty)."""
    notes = np.asarray(notes).reshape(-1, 3)
    return int((notes[:, ONSET] + notes[:, DURATION]).max()) if len(notes) else 0
