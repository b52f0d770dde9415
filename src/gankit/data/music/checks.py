"""Screen pieces before tokenising: skip empty and too-short ones (warned by name), count dropped notes."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

from gankit.data.music.piece import Piece
from gankit.errors import DataError, GankitWarning

MAX_LISTED = 10


def listing(items: Sequence[str], limit: int = MAX_LISTED) -> str:
    """'a, b, c' with at most `limit` items shown, then '... and k more'."""
    shown = ", ".join(items[:limit])
    return shown + (f", ... and {len(items) - limit} more" if len(items) > limit else "")


def drop_empty(pieces: Sequence[Piece], where: str) -> tuple[list[Piece], list[str]]:
    """The pieces that have notes, and the names of those without (warned; all empty is a DataError)."""
    empty = [p.name for p in pieces if not len(p.notes)]
    kept = [p for p in pieces if len(p.notes)]
    if empty and not kept:
        raise DataError(f"{where}: no piece has any notes ({listing(empty)});\nadd files that hold notes")
    if empty:
        warnings.warn(f"{where}: skipped {len(empty)} piece(s) with no notes: {listing(empty)}", GankitWarning, stacklevel=3)
    return kept, empty


def drop_short(pieces: Sequence[Piece], window: int, where: str) -> tuple[list[Piece], dict[str, int]]:
    """The pieces at least one window long, and {name: length in steps} of the others (warned)."""
    short = {p.name: p.length for p in pieces if p.length < window}
    kept = [p for p in pieces if p.length >= window]
    described = [f"{name} ({length} steps)" for name, length in short.items()]
    if not kept:
        raise DataError(f"{where}: no piece is as long as one window of music.window={window} steps "
                        f"({listing(described)});\nlower music.window (or raise music.steps_per_quarter)")
    if short:
        warnings.warn(f"{where}: skipped {len(short)} piece(s) shorter than music.window={window} steps: "
                      f"{listing(described)}", GankitWarning, stacklevel=3)
    return kept, short


def report_dropped(dropped: Mapping[str, int], max_voices: int) -> dict:
    """Warn once about notes dropped beyond max_voices; the {'total', 'files'} record for the dataset's meta."""
    files = {name: int(k) for name, k in sorted(dropped.items(), key=lambda item: (-item[1], item[0])) if k}
    total = sum(files.values())
    if total:
        shown = [f"{name}: {k}" for name, k in files.items()]
        warnings.warn(f"{total} notes dropped in {len(files)} files beyond data max_voices={max_voices} "
                      f"({listing(shown, 5)}); raise music.max_voices to keep them", GankitWarning, stacklevel=3)
    return {"total": total, "files": files}
