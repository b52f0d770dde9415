"""J. S. Bach's chorales from music21's bundled corpus (offline), parsed to note arrays and cached on disk.

music21 is imported inside the functions that need it: importing it takes about a second, and every
gankit command imports the data registry. Parsed pieces are cached per (music21 version, grid, file
list) in gankit.data.cache.default_cache_dir(), so only the first load of a grid parses (~0.1 s a piece).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from gankit.data.music.checks import listing
from gankit.data.music.corpus import MusicCorpus, build_corpus
from gankit.data.music.note_cache import load_pieces, notes_cache_key, notes_cache_path, save_pieces
from gankit.data.music.options import MusicOptions, music_options
from gankit.data.music.piece import Piece
from gankit.data.music.progress import progress
from gankit.data.music.quantise import DEFAULT_TIME_SIGNATURE, canonical_notes, quantise_line, steps_per_bar
from gankit.data.music.split import choose_subset
from gankit.errors import DataError
from gankit.utils.pitch import empty_notes

COMPOSER = "bach"
VOICES = ("Soprano", "Alto", "Tenor", "Bass")  # the chorale itself: horns, trumpets, timpani and continuo double it
SUFFIXES = (".mxl", ".xml")  # the corpus also holds Roman-numeral analyses and Humdrum copies: not chorales


def chorale_files() -> list[Path]:
    """The chorale score files of music21's Bach corpus, sorted by name."""
    from music21 import corpus  # deferred: importing music21 takes ~1 s and only the chorales need it

    return sorted((Path(p) for p in corpus.getComposer(COMPOSER) if Path(p).suffix in SUFFIXES), key=lambda p: p.name)


def parse_chorale(path: Path, steps_per_quarter: int) -> Piece:
    """One score file as a Piece: its four voices (all parts when none is named so), tied notes joined, each
    voice snapped to the grid as one line (gankit.data.music.quantise.quantise_line), chords expanded."""
    from music21 import converter, harmony, meter  # deferred: see the module docstring

    score = converter.parse(path).stripTies()
    voices = [part for part in score.parts if part.partName in VOICES] or list(score.parts)
    flat = score.flatten()
    lines = []
    for part in voices:
        events = [(tuple(p.midi for p in e.pitches), float(e.offset), float(e.offset + e.quarterLength))
                  for e in part.flatten().notes if e.quarterLength > 0 and not isinstance(e, harmony.Harmony)]
        lines.append(quantise_line(events, steps_per_quarter))  # grace notes and chord symbols take no time
    signature = flat.getElementsByClass(meter.TimeSignature).first()
    num, den = (signature.numerator, signature.denominator) if signature is not None else DEFAULT_TIME_SIGNATURE
    notes = canonical_notes(np.concatenate(lines)) if lines else empty_notes()
    return Piece(path.stem, notes, steps_per_bar(num, den, steps_per_quarter))


def _cache_path(cache_dir: str | os.PathLike, files: list[Path], steps_per_quarter: int) -> Path:
    key = notes_cache_key({"source": f"music21 {COMPOSER}", "music21": version("music21"),
                           "steps_per_quarter": steps_per_quarter, "voices": VOICES, "lines": 1, "files": [f.name for f in files]})
    return notes_cache_path(cache_dir, "chorales", key)


def _from_cache(cache_dir: str | os.PathLike, every: list[Path], chosen: list[Path], spq: int) -> list[Piece] | None:
    """The chosen pieces from the cache of this subset, or of the whole corpus when that one exists."""
    wanted = [f.stem for f in chosen]
    for files in (every, chosen) if len(chosen) < len(every) else (every,):
        cached = load_pieces(_cache_path(cache_dir, files, spq))
        if cached is not None:
            by_name = {p.name: p for p in cached}
            if all(name in by_name for name in wanted):
                return [by_name[name] for name in wanted]
    return None


def _parse_all(files: list[Path], steps_per_quarter: int) -> list[Piece]:
    pieces, bad = [], []
    for path in progress(files, len(files), "parsing chorales"):
        try:
            pieces.append(parse_chorale(path, steps_per_quarter))
        except Exception as e:  # music21 raises many types on a bad score; name the file instead
            bad.append(f"{path.name} ({type(e).__name__})")
    if bad:
        raise DataError(f"music21 could not parse {len(bad)} chorale file(s): {listing(bad)};\n"
                        "reinstall music21 (pip install --force-reinstall music21) or remove them from its corpus")
    return pieces


def load_chorale_pieces(steps_per_quarter: int = 2, n: int | None = None, seed: int = 0,
                        cache_dir: str | os.PathLike | None = None) -> list[Piece]:
    """The chorales (all, or a seeded subset of n) as Pieces on the grid, from the cache when it holds them."""
    every = chorale_files()
    if not every:
        raise DataError("music21's Bach corpus holds no chorale files (.mxl/.xml);\n"
                        "reinstall music21 with its corpus (pip install --force-reinstall music21)")
    keep = set(choose_subset([f.name for f in every], n, seed))
    chosen = [f for f in every if f.name in keep]
    if cache_dir is not None and (cached := _from_cache(cache_dir, every, chosen, steps_per_quarter)) is not None:
        return cached
    pieces = _parse_all(chosen, steps_per_quarter)
    if cache_dir is not None:
        save_pieces(_cache_path(cache_dir, chosen, steps_per_quarter), pieces)
    return pieces


def chorales_corpus(options: MusicOptions | Mapping[str, Any] | None = None, n: int | None = None,
                    cache_dir: str | os.PathLike | None = None) -> MusicCorpus:
    """The Bach chorales tokenised by the options (n: a subset of pieces fixed by options.split_seed)."""
    options = music_options(options)
    pieces = load_chorale_pieces(options.steps_per_quarter, n, options.split_seed, cache_dir)
    return build_corpus("chorales", pieces, options, "chorales", {"source": f"music21 corpus '{COMPOSER}' (Bach chorales)"})
