"""Loading, overriding, saving and comparing configs; presets are named YAML files."""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gankit.config.files import PRESET_DIR, preset_names, read_json_config, read_yaml_config
from gankit.config.schema import Config, dataclass_of, field_types, valid_keys
from gankit.errors import CheckpointError, ConfigError
from gankit.utils.atomic import write_json_atomic

# Keys that may change when a run is resumed: they alter how long it runs or what it writes,
# never the game itself. data.path may move: a resume checks the content against the run's data facts.
RESUMABLE_KEYS = ("name", "description", "device", "train.steps", "train.budget_minutes", "train.compile", "train.compile_mode",
                  "train.allow_world_change", "data.cache", "data.path", "log.", "guard.", "eval.", "sample.")


def _coerce(key: str, value: Any, hint: Any) -> Any:
    """Check a value against a field's type hint, converting int→float where that is lossless."""
    args = typing.get_args(hint)
    if type(None) in args:
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ConfigError(f"{key} must be a finite number, got {value!r}")
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif typing.get_origin(hint) is list:  # list[str]: e.g. data.domains=[Sneaker, Ankle boot]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
        raise ConfigError(f"{key} expects a list of names, e.g. [Sneaker, Ankle boot], got {value!r}")
    else:  # pragma: no cover - schema only uses the types above
        return value
    raise ConfigError(f"{key} expects {hint.__name__}, got {value!r} ({type(value).__name__})")


def _unknown_key(key: str, valid: list[str]) -> ConfigError:
    """Two lines: the closest valid key, then the valid keys of the key's own section (or the top level)."""
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    section = key.rpartition(".")[0]
    siblings = [k.removeprefix(section + ".") for k in valid if k.startswith(section + ".")] if section else []
    if siblings:
        listing = f"Valid {section} keys: {', '.join(siblings)}"
    else:  # a top-level key or an unknown section: name the top level
        listing = f"Valid top-level keys and sections: {', '.join(dict.fromkeys(k.split('.')[0] for k in valid))}"
    return ConfigError(f"unknown config key {key!r}.{hint} (every key with its value: gankit train PRESET --dry-run)\n"
                       f"{listing}")


def from_dict(data: Mapping[str, Any], cls: type = Config, prefix: str = "") -> Any:
    """Build a (nested) config dataclass from a dict, refusing unknown keys and wrong types."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'} must be a mapping, got {data!r}")
    hints = field_types(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            raise _unknown_key(prefix + key, valid_keys())
        sub = dataclass_of(cls, key)
        kwargs[key] = from_dict(value, sub, prefix + key + ".") if sub else _coerce(prefix + key, value, hints[key])
    return cls(**kwargs)


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in update.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _set_dotted(d: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    for p in parts[:-1]:
        nxt = d.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ConfigError(f"cannot set {key!r}: {p!r} is a value, not a section")
        d = nxt
    d[parts[-1]] = value


def parse_overrides(items: list[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Turn ['train.lr_g=2e-4', ...] (values parsed as YAML) or {'train.lr_g': 2e-4} into a nested dict."""
    nested: dict[str, Any] = {}
    if not items:
        return nested
    pairs = items.items() if isinstance(items, Mapping) else [_split_override(s) for s in items]
    for key, value in pairs:
        _set_dotted(nested, key, value)
    return nested


def _split_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ConfigError(f"--set expects key=value (e.g. train.lr_g=2e-4), got {item!r}")
    key, raw = item.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    # YAML reads '1e-4' as a string (it wants '1.0e-4'); accept the usual float spellings.
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    return key.strip(), value


def _raw_source(source: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """Read a preset name or a YAML/JSON file into a dict, resolving `extends:` chains."""
    path = Path(source)
    if path.suffix in (".yaml", ".yml", ".json") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"config file {source!r} does not exist")
        data = read_json_config(path) if path.suffix == ".json" else read_yaml_config(path)
        data.setdefault("name", path.stem)
    elif (PRESET_DIR / f"{source}.yaml").is_file():
        data = read_yaml_config(PRESET_DIR / f"{source}.yaml")
        data.setdefault("name", source)
    else:
        close = difflib.get_close_matches(source, preset_names(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"no preset or config file named {source!r}.{hint} Presets: {', '.join(preset_names())}")
    parent = data.pop("extends", None)
    if parent:
        if parent in seen:
            raise ConfigError(f"preset {source!r} extends itself through {' -> '.join(seen)}")
        base = _raw_source(parent, seen + (source,))
        base.pop("name", None)
        base.pop("description", None)
        data = _deep_merge(base, data)
    return data


def load_config(source: str | None = None, overrides: list[str] | Mapping[str, Any] | None = None) -> Config:
    """Load a preset name or config file (or the defaults), apply overrides, validate and return it."""
    raw = _raw_source(source) if source else {}
    return from_dict(_deep_merge(raw, parse_overrides(overrides)))


def resolve_config(source: Config | str | None, overrides: list[str] | Mapping[str, Any] | None = None) -> Config:
    """A Config from a Config, a preset name or a config file path (None: the defaults), with overrides applied."""
    if isinstance(source, Config):
        if not overrides:
            return source
        return from_dict(_deep_merge(source.to_dict(), parse_overrides(overrides)))
    return load_config(source, overrides)


def save_config(cfg: Config, path: str | Path) -> None:
    """Write the resolved config as JSON, atomically."""
    write_json_atomic(path, cfg.to_dict())


def read_config(path: str | Path) -> Config:
    """Read a resolved config JSON written by `save_config` (a run's config.json)."""
    path = Path(path)
    try:
        data = read_json_config(path)
        if isinstance(data.get("train"), dict):  # runs written before the EMA ramp-up existed trained without it
            data["train"].setdefault("ema_rampup", 0.0)
        return from_dict(data)
    except ConfigError as e:
        raise CheckpointError(f"{e};\nrestore {path.name} from a copy of the run, or start a new run") from None


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'train': {'lr_g': 1}} -> {'train.lr_g': 1}."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def incompatible_changes(saved: Config, new: Config) -> list[str]:
    """Differences between two configs that would change the game, so forbid a resume."""
    a, b = flatten(saved.to_dict()), flatten(new.to_dict())
    return [
        f"{k}: run has {a[k]!r}, now {b[k]!r}"
        for k in a
        if a[k] != b.get(k) and not any(k == r or (r.endswith(".") and k.startswith(r)) for r in RESUMABLE_KEYS)
    ]
