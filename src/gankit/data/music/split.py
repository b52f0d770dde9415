"""A seeded split of pieces into train/val/test by name, and seeded subsets, independent of the run seed.

Pieces are ordered by a keyed hash of (seed, name): test takes the first round(test·N), val the next
round(val·N) (at least one each when asked for and pieces remain), train the rest. Because each name's
place depends only on itself and the seed, adding a file moves few others between splits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from gankit.data.music.options import SPLITS
from gankit.errors import DataError


def seeded_order(names: Iterable[str], seed: int, salt: str = "split") -> list[str]:
    """The names in an order fixed by seed and salt alone."""
    def _rank(name: str) -> bytes:
        return hashlib.blake2b(f"{salt}\0{seed}\0{name}".encode(), digest_size=8).digest()

    return sorted(names, key=lambda name: (_rank(name), name))


def _share(fraction: float, n: int) -> int:
    return 0 if fraction <= 0 else max(1, round(fraction * n))


def split_names(names: Iterable[str], val: float, test: float, seed: int) -> dict[str, list[str]]:
    """{'train', 'val', 'test'} -> sorted piece names; train keeps at least one piece, test is filled before val."""
    order = seeded_order(names, seed)
    n = len(order)
    n_test = min(_share(test, n), max(0, n - 1))
    n_val = min(_share(val, n), max(0, n - 1 - n_test))
    parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
    return {s: sorted(parts[s]) for s in SPLITS}


def choose_subset(names: Sequence[str], n: int | None, seed: int) -> list[str]:
    """All names, or n of them fixed by the seed (kept in their given order); n out of range is a DataError."""
    if n is None:
        return list(names)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(names):
        raise DataError(f"asked for n={n!r} pieces but there are {len(names)}; pass 1 <= n <= {len(names)} "
                        "or leave data.n unset for all")
    keep = set(seeded_order(names, seed, salt="subset")[:n])
    return [name for name in names if name in keep]
