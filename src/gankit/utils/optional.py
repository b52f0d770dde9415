"""Guards for optional dependencies that say which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_import(module: str) -> ModuleType | None:
    """Import a module if it is installed, else return None."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def require(module: str, extra: str) -> ModuleType:
    """Import a module or raise an ImportError naming the pip extra that provides it."""
    mod = optional_import(module)
    if mod is None:
        raise ImportError(f"{module} is needed for this feature: pip install 'gankit[{extra}]'")
    return mod
