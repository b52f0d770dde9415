"""A prepared-dataset cache for image folders: decoded uint8 arrays on disk, keyed by the folder's state.

The key hashes every file's relative path, byte size and modification time together with the
loading options, so an edited, added or removed file (or another size) makes a new entry and a
stale array is never served. Entries are plain .npy files written atomically (temp file + rename),
memory-mapped on load. The default folder is $GANKIT_CACHE, else $XDG_CACHE_HOME/gankit, else
~/.cache/gankit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.utils.atomic import atomic_path

CACHE_VERSION = 1


def default_cache_dir() -> Path:
    """Where prepared datasets are kept unless a folder is given."""
    if os.environ.get("GANKIT_CACHE"):
        return Path(os.environ["GANKIT_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gankit"


def cache_key(root: Path, files: Sequence[Path], options: Mapping[str, Any]) -> str:
    """A hex digest of the folder's files (relative path, size, mtime) and the loading options."""
    h = hashlib.sha256()
    h.update(json.dumps({"version": CACHE_VERSION, "root": str(root.resolve()), **options}, sort_keys=True).encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _path(cache_dir: str | os.PathLike, key: str) -> Path:
    return Path(cache_dir).expanduser() / f"folder-{key}.npy"


def load_cached(cache_dir: str | os.PathLike, key: str) -> torch.Tensor | None:
    """The cached array for a key, or None when there is none (or it cannot be read)."""
    path = _path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        return torch.from_numpy(np.array(np.load(path, mmap_mode="r")))
    except (OSError, ValueError):
        return None  # a damaged entry is rebuilt, never trusted


def save_cached(cache_dir: str | os.PathLike, key: str, x: torch.Tensor) -> Path | None:
    """Store the array for a key; a cache that cannot be written is skipped, never fatal."""
    path = _path(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.save(f, x.numpy())
    except OSError:
        return None
    return path
