"""Parsed pieces kept on disk: one .npz per corpus state, so the next load skips parsing.

An entry holds the piece names, their note arrays concatenated, the row bounds of each piece and each
piece's steps per bar. The key hashes whatever decides the content (parser version, grid, file list);
entries are written atomically and an unreadable one is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gankit.data.music.piece import Piece
from gankit.utils.atomic import atomic_path

CACHE_VERSION = 1


def notes_cache_key(payload: Mapping[str, Any]) -> str:
    """A hex digest of the JSON-serialisable facts that decide a corpus's parsed notes."""
    text = json.dumps({"version": CACHE_VERSION, **payload}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def notes_cache_path(cache_dir: str | os.PathLike, prefix: str, key: str) -> Path:
    """Where the entry for a key lives."""
    return Path(cache_dir).expanduser() / f"{prefix}-{key}.npz"


def save_pieces(path: Path, pieces: Sequence[Piece]) -> bool:
    """Store the pieces atomically; a cache that cannot be written is skipped (False), never fatal."""
    bounds = np.cumsum([0] + [len(p.notes) for p in pieces]).astype(np.int64)
    notes = np.concatenate([np.asarray(p.notes, dtype=np.int64).reshape(-1, 3) for p in pieces]) if pieces else \
        np.zeros((0, 3), dtype=np.int64)
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, names=np.array([p.name for p in pieces], dtype=str), notes=notes, bounds=bounds,
                     steps_per_bar=np.array([p.steps_per_bar for p in pieces], dtype=np.int64))
    except OSError:
        return False
    return True


def load_pieces(path: Path) -> list[Piece] | None:
    """The pieces stored at path, or None when there is no entry or it cannot be read."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            names, notes, bounds, bars = (data[k] for k in ("names", "notes", "bounds", "steps_per_bar"))
        if len(bounds) != len(names) + 1 or len(bars) != len(names) or notes.ndim != 2 or bounds[-1] != len(notes):
            return None
        return [Piece(str(name), notes[bounds[i]:bounds[i + 1]].astype(np.int64), int(bars[i]))
                for i, name in enumerate(names)]
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
        return None  # a damaged entry is rebuilt
