"""Every MIDI file under a folder (recursive, sorted, hidden entries skipped), read with pretty_midi.

Notes of drum tracks are ignored; times are converted to quarter notes through the file's own ticks
per quarter, then snapped to the grid. A piece is named by its path below the folder without the
suffix (the file stem for files at the top). Parsed pieces are cached like image folders: keyed by
every file's relative path, size and modification time, so an edited file is read again.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from gankit.data.music.checks import listing
from gankit.data.music.corpus import MusicCorpus, build_corpus
from gankit.data.music.note_cache import load_pieces, notes_cache_key, notes_cache_path, save_pieces
from gankit.data.music.options import MusicOptions, music_options
from gankit.data.music.piece import Piece
from gankit.data.music.progress import progress
from gankit.data.music.quantise import DEFAULT_TIME_SIGNATURE, quantise_notes, steps_per_bar
from gankit.data.music.split import choose_subset
from gankit.errors import DataError

MIDI_EXTENSIONS = (".mid", ".midi")


def midi_files(root: Path) -> list[Path]:
    """Every .mid/.midi file below root (any case), sorted, skipping hidden files and folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames)
                  if not f.startswith(".") and Path(f).suffix.lower() in MIDI_EXTENSIONS and (Path(dirpath) / f).is_file()]
    return found


def piece_name(root: Path, path: Path) -> str:
    """The name of a file's piece: its path below root without the suffix."""
    return path.relative_to(root).with_suffix("").as_posix()


def read_midi(path: Path, steps_per_quarter: int, name: str | None = None) -> Piece:
    """One MIDI file as a Piece on the grid (drums ignored; the first time signature, else 4/4, sets the bar)."""
    import pretty_midi  # deferred: it pulls in mido and takes a noticeable share of gankit's start-up

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pretty_midi's notes on meta events in odd tracks
        midi = pretty_midi.PrettyMIDI(str(path))
    per_quarter = float(midi.resolution)
    pitches, onsets, ends = [], [], []
    for instrument in midi.instruments:
        if instrument.is_drum:
            continue
        for note in instrument.notes:
            pitches.append(note.pitch)
            onsets.append(midi.time_to_tick(note.start) / per_quarter)
            ends.append(midi.time_to_tick(note.end) / per_quarter)
    changes = midi.time_signature_changes
    num, den = (changes[0].numerator, changes[0].denominator) if changes else DEFAULT_TIME_SIGNATURE
    notes = quantise_notes(pitches, onsets, ends, steps_per_quarter)
    return Piece(name or path.stem, notes, steps_per_bar(num, den, steps_per_quarter))


def _root(path: str | os.PathLike | None) -> Path:
    if path is None:
        raise DataError("dataset 'midi-folder' needs a folder of MIDI files: pass path=/your/midi "
                        "(CLI: --set data.path=/your/midi)")
    root = Path(path).expanduser()
    if not root.exists():
        raise DataError(f"MIDI folder {root} does not exist; check the path (CLI: --set data.path=/your/midi)")
    if not root.is_dir():
        raise DataError(f"{root} is a file, not a folder; pass the folder that holds the MIDI files")
    return root


def _read_all(root: Path, files: list[Path], steps_per_quarter: int) -> list[Piece]:
    pieces, bad = [], []
    for path in progress(files, len(files), "reading MIDI"):
        try:
            pieces.append(read_midi(path, steps_per_quarter, piece_name(root, path)))
        except Exception as e:  # mido/pretty_midi raise many types on damaged bytes; name the file instead
            bad.append(f"{path.relative_to(root)} ({type(e).__name__})")
    if bad:
        raise DataError(f"{root}: {len(bad)} MIDI file(s) cannot be read: {listing(bad)};\nremove or repair them")
    return pieces


def _cache_path(cache_dir: str | os.PathLike, root: Path, files: list[Path], steps_per_quarter: int) -> Path:
    stats = [(f.relative_to(root).as_posix(), f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    key = notes_cache_key({"source": "midi-folder", "pretty_midi": version("pretty_midi"), "root": str(root.resolve()),
                           "steps_per_quarter": steps_per_quarter, "files": stats})
    return notes_cache_path(cache_dir, "midi", key)


def load_midi_pieces(path: str | os.PathLike | None, steps_per_quarter: int = 2, n: int | None = None, seed: int = 0,
                     cache_dir: str | os.PathLike | None = None) -> list[Piece]:
    """Every MIDI file under path (or a seeded subset of n) as Pieces, from the cache when it holds them."""
    root = _root(path)
    files = midi_files(root)
    if not files:
        raise DataError(f"{root}: no MIDI files (extensions {', '.join(MIDI_EXTENSIONS)}, any case) in it or its "
                        "subfolders;\nput MIDI files there or point data.path at the folder that has them")
    keep = set(choose_subset([piece_name(root, f) for f in files], n, seed))
    files = [f for f in files if piece_name(root, f) in keep]
    cache = _cache_path(cache_dir, root, files, steps_per_quarter) if cache_dir is not None else None
    if cache is not None and (cached := load_pieces(cache)) is not None:
        return cached
    pieces = _read_all(root, files, steps_per_quarter)
    if cache is not None:
        save_pieces(cache, pieces)
    return pieces


def midi_folder_corpus(path: str | os.PathLike | None, options: MusicOptions | Mapping[str, Any] | None = None, n: int | None = None,
                       cache_dir: str | os.PathLike | None = None) -> MusicCorpus:
    """The MIDI files under path tokenised by the options (n: a subset of files fixed by options.split_seed)."""
    options = music_options(options)
    pieces = load_midi_pieces(path, options.steps_per_quarter, n, options.split_seed, cache_dir)
    root = Path(path).expanduser()  # checked by load_midi_pieces
    return build_corpus("midi-folder", pieces, options, f"midi-folder {root}", {"source": f"MIDI files under {root}"})
