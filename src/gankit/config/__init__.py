"""Typed configuration, presets and overrides."""

from gankit.config.io import load_config, preset_names, read_config, resolve_config, save_config
from gankit.config.schema import Config

__all__ = ["Config", "load_config", "preset_names", "read_config", "resolve_config", "save_config"]
