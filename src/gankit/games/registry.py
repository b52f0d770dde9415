"""Game names -> specs, written out by hand: a new game is a new folder and one line here.

Each line names the module that holds the spec, which is imported when the game is first asked for:
sampling a DCGAN run then loads the adversarial game only, not the music, translation and
text-to-image folders (33 modules fewer; `python -m bench.startup`). No cycle is dodged:
`tests/unit/test_imports.py` adds these imports to the graph it checks for cycles, and
`tests/unit/test_game_registry.py` loads every line.
"""

from __future__ import annotations

import importlib
import sys

from gankit.errors import ConfigError
from gankit.games.base import GameSpec

# name -> "module:attribute" of its GameSpec (a GameSpec itself is accepted too, e.g. one registered at run time)
GAMES: dict[str, GameSpec | str] = {
    "adversarial": "gankit.games.adversarial:SPEC",
    "cyclegan": "gankit.games.translation:CYCLEGAN",
    "pix2pix": "gankit.games.translation:PIX2PIX",
    "seqgan": "gankit.games.seqgan:SEQGAN",
    "text2img": "gankit.games.text2img:TEXT2IMG",
}


def game_names() -> list[str]:
    """Names accepted by the config key `game`."""
    return list(GAMES)


def imported_games() -> list[str]:
    """The registered games whose folder this process has imported so far."""
    return [name for name, entry in GAMES.items()
            if isinstance(entry, GameSpec) or entry.partition(":")[0] in sys.modules]


def game_spec(name: str) -> GameSpec:
    """The spec of a game, its folder imported now; an unknown name lists the valid ones."""
    if name not in GAMES:
        raise ConfigError(f"game={name!r} is not a game gankit knows; choose one of: {', '.join(GAMES)}")
    entry = GAMES[name]
    if isinstance(entry, GameSpec):
        return entry
    module, _, attribute = entry.partition(":")
    spec = getattr(importlib.import_module(module), attribute, None) if attribute else None
    if not isinstance(spec, GameSpec):
        raise ConfigError(f"games.registry: {name!r} -> {entry!r} names no GameSpec;\n"
                          "write 'package.module:ATTRIBUTE', the module that defines the game's spec")
    return spec
