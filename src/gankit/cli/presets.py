"""`gankit presets`: the bundled presets, read without torch."""

from __future__ import annotations

import argparse

from gankit.config.files import preset_description, preset_names


def cmd_presets(args: argparse.Namespace) -> int:
    """Print each preset with its one-line description."""
    names = preset_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {preset_description(name)}")
    return 0
