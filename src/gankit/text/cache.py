"""A per-dataset cache of caption embeddings: each unique caption is encoded once, then read back from disk.

Files live at <cache_dir>/text/<encoder id>-<digest>.safetensors, the digest a BLAKE2b of the encoder id and the
sorted unique captions, so other captions or another encoder make a new file and a stale one is never served.
The caller passes the cache folder (gankit.data.cache.default_cache_dir() by convention): text sits beside data
in the layers and may not import it.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from gankit.errors import GankitWarning
from gankit.utils.atomic import atomic_path

_KEY = "embeddings"


def caption_digest(unique: Sequence[str], encoder_id: str) -> str:
    """BLAKE2b hex digest of the encoder id and the captions (NUL-separated, so no two lists collide)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(encoder_id.encode())
    for text in unique:
        h.update(b"\0" + text.encode())
    return h.hexdigest()


def cache_file(cache_dir: str | os.PathLike, unique: Sequence[str], encoder_id: str) -> Path:
    """Where the embeddings of these unique captions under this encoder are kept."""
    return Path(cache_dir).expanduser() / "text" / f"{encoder_id}-{caption_digest(unique, encoder_id)}.safetensors"


def _read(path: Path, n: int) -> torch.Tensor | None:
    """The stored N×D float32 embeddings, or None (with a warning) when the file is damaged."""
    try:
        e = load_file(path)[_KEY]
        if e.dtype != torch.float32 or e.dim() != 2 or len(e) != n or not torch.isfinite(e).all():
            raise ValueError(f"holds {e.dtype} {tuple(e.shape)}, expected float32 {n}×D")
        return e
    except (OSError, SafetensorError, KeyError, ValueError) as e:
        warnings.warn(f"caption embedding cache {path} is unreadable ({e}); computing it again", GankitWarning,
                      stacklevel=3)
        return None


def _write(path: Path, e: torch.Tensor) -> None:
    """Store the embeddings atomically; a cache that cannot be written is skipped, never fatal."""
    try:
        with atomic_path(path) as tmp:
            save_file({_KEY: e.contiguous()}, str(tmp))
    except OSError:
        pass


def cached_embeddings(captions: Sequence[str], encoder_id: str, encode: Callable[[list[str]], torch.Tensor],
                      cache_dir: str | os.PathLike | None) -> tuple[list[str], torch.Tensor]:
    """The sorted unique captions and their embeddings U×D (float32), from cache_dir when stored there before.

    encode maps a list of captions to U×D; it runs only on a cache miss (or always when cache_dir is None).
    """
    unique = sorted(set(captions))
    path = cache_file(cache_dir, unique, encoder_id) if cache_dir is not None else None
    if path is not None and path.is_file():
        e = _read(path, len(unique))
        if e is not None:
            return unique, e
    e = encode(unique).detach().float().cpu().contiguous()
    if len(e) != len(unique):
        raise ValueError(f"encoder {encoder_id} returned {len(e)} embeddings for {len(unique)} captions")
    if path is not None:
        _write(path, e)
    return unique, e


def embedding_index(captions: Sequence[str], unique: Sequence[str]) -> torch.Tensor:
    """Int64 N: each caption's row in `unique` (e.g. embeddings[embedding_index(...)] is N×D)."""
    row = {text: i for i, text in enumerate(unique)}
    missing = [text for text in captions if text not in row]
    if missing:
        raise ValueError(f"{len(missing)} caption(s) have no embedding, e.g. {missing[0]!r}; embed them first")
    return torch.tensor([row[text] for text in captions], dtype=torch.int64)
