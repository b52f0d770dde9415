"""Typed configuration, presets and overrides.

The names below are loaded on first use: `gankit.config.files` (preset names and descriptions)
must be importable without the schema, which reaches the dataset registry and torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Config", "load_config", "preset_names", "read_config", "resolve_config", "save_config"]

if TYPE_CHECKING:  # pragma: no cover
    from gankit.config.io import load_config, preset_names, read_config, resolve_config, save_config
    from gankit.config.schema import Config


def __getattr__(name: str) -> Any:
    # Lazy re-exports for start-up time only (`gankit --help`, `gankit presets`); no import cycle is dodged.
    if name == "Config":
        import gankit.config.schema as schema

        return schema.Config
    if name in __all__:
        import gankit.config.io as io

        return getattr(io, name)
    raise AttributeError(f"module 'gankit.config' has no attribute {name!r}")
