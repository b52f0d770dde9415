"""A progress bar for long parses (tqdm), off when GANKIT_PROGRESS=0 or the work is short."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
MIN_ITEMS = 20  # below this a parse is quick enough to need no bar


def progress(items: Iterable[T], total: int, desc: str) -> Iterator[T]:
    """Iterate over items, with a bar on stderr when there are more than MIN_ITEMS of them."""
    if total <= MIN_ITEMS or os.environ.get("GANKIT_PROGRESS", "1") == "0":
        yield from items
        return
    from tqdm.auto import tqdm  # lazy, as in gankit.data.fetch: only a long parse shows a bar

    yield from tqdm(items, total=total, desc=desc, unit="piece", dynamic_ncols=True, file=sys.stderr)
