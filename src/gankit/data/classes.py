"""Classes by name or index, with suggestions for a misspelt name."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np

from gankit.errors import ConfigError


def resolve_class(spec: str | int, class_names: Sequence[str]) -> int:
    """A class given by index or by name (case-insensitive) -> its index; an unknown one lists the valid names."""
    names = list(class_names)
    listing = ", ".join(f"{i}={n!r}" for i, n in enumerate(names))
    if isinstance(spec, (int, np.integer)) or (isinstance(spec, str) and spec.strip().isdigit()):
        i = int(spec)
        if 0 <= i < len(names):
            return i
        raise ConfigError(f"class index {i} is out of range; this run has {len(names)} classes: {listing}")
    key = str(spec).strip().lower()
    for i, n in enumerate(names):
        if n.lower() == key:
            return i
    close = difflib.get_close_matches(str(spec), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown class {spec!r}.{hint} Valid classes: {listing}")
