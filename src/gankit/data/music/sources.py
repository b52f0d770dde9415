"""The music datasets by name: one call gives a source's corpus, whose splits give windows or whole pieces."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from gankit.data.cache import default_cache_dir
from gankit.data.music.chorales import chorales_corpus
from gankit.data.music.corpus import MusicCorpus
from gankit.data.music.midi_folder import midi_folder_corpus
from gankit.data.music.options import MusicOptions
from gankit.data.music.synthetic import scales_corpus
from gankit.errors import DataError

MUSIC_DATASETS = ("chorales", "midi-folder", "scales")


def music_corpus(name: str, *, path: str | os.PathLike | None = None, n: int | None = None,
                 music: MusicOptions | Mapping[str, Any] | None = None, cache: bool = True) -> MusicCorpus:
    """The corpus of a music dataset ('chorales', 'midi-folder' or 'scales'), parsed pieces cached when `cache`."""
    cache_dir = default_cache_dir() if cache else None
    if name == "chorales":
        return chorales_corpus(music, n=n, cache_dir=cache_dir)
    if name == "midi-folder":
        return midi_folder_corpus(path, music, n=n, cache_dir=cache_dir)
    if name == "scales":
        return scales_corpus(music, n=n)
    raise DataError(f"{name!r} is not a music dataset; use one of {', '.join(MUSIC_DATASETS)}")


def music_pieces(name: str, split: str = "test", *, path: str | os.PathLike | None = None, n: int | None = None,
                 music: MusicOptions | Mapping[str, Any] | None = None, cache: bool = True) -> list[np.ndarray]:
    """A split's whole pieces as note arrays, decoded from their tokens (for statistics over whole pieces)."""
    return music_corpus(name, path=path, n=n, music=music, cache=cache).pieces(split)
