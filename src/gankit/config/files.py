"""Config files as mappings, and the bundled presets by name: YAML and JSON only, no torch.

`gankit presets` and the CLI's parser read presets through this module alone, so they start fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from gankit.errors import ConfigError

PRESET_DIR = Path(__file__).parent / "presets"


def preset_names() -> list[str]:
    """Names of the bundled presets."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def read_yaml_config(path: Path) -> dict[str, Any]:
    """A YAML config file as a mapping; bad syntax, binary content or an empty file is named."""
    return read_config_file(path, yaml.safe_load, yaml.YAMLError, lambda e: f"YAML: {' '.join(str(e).split())}")


def read_json_config(path: Path) -> dict[str, Any]:
    """A JSON config file as a mapping; bad syntax, binary content or an empty file is named."""
    return read_config_file(path, json.loads, json.JSONDecodeError,
                             lambda e: f"JSON ({e.msg} at line {e.lineno}, column {e.colno})")


def read_config_file(path: Path, parse: Any, error: type[Exception], describe: Any) -> dict[str, Any]:
    """Parse a YAML or JSON config file; a syntax error, binary content or an empty file is named."""
    try:
        data = parse(path.read_text())
    except error as e:
        raise ConfigError(f"{path} is not valid {describe(e)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file; a config is YAML or JSON") from None
    return _mapping(data, path)


def _mapping(data: Any, path: Path) -> dict[str, Any]:
    """A config file's contents, refused when empty: training the defaults under its name would be a silent mistake."""
    if data is None or data == {}:
        raise ConfigError(f"{path} is empty; give at least `extends: PRESET` or some keys\n"
                          "(see `gankit presets`, and `gankit train PRESET --dry-run` for every key)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of config keys, got {type(data).__name__}")
    return data


def preset_description(name: str) -> str:
    """The one-line description of a preset."""
    return str(read_yaml_config(PRESET_DIR / f"{name}.yaml").get("description", ""))
