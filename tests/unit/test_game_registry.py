"""The game registry: every line names a spec that loads, an unknown name lists the valid ones, and a game's
folder is imported only when that game is asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gankit.errors import ConfigError
from gankit.games.base import GameSpec
from gankit.games.registry import GAMES, game_names, game_spec


@pytest.mark.parametrize("name", list(GAMES))
def test_every_line_loads_its_spec(name):
    spec = game_spec(name)
    assert isinstance(spec, GameSpec) and game_spec(name) is spec and spec.name == name


def test_an_unknown_game_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="game='chess' is not a game gankit knows; choose one of: adversarial, cyclegan"):
        game_spec("chess")
    assert game_names() == list(GAMES)


def test_a_game_folder_is_imported_when_its_game_is_asked_for():
    code = ("from gankit.games.registry import game_spec, imported_games\n"
            "before = imported_games(); game_spec('cyclegan'); print(before, imported_games())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] ['cyclegan', 'pix2pix']"  # one folder holds both translation games


def test_a_spec_registered_as_an_object_or_a_bad_line_is_handled(monkeypatch):
    spec = game_spec("adversarial")
    monkeypatch.setitem(GAMES, "mine", spec)
    assert game_spec("mine") is spec
    for bad in ("gankit.games.adversarial", "gankit.games.adversarial:NOPE", "gankit.games.base:GameSpec"):
        monkeypatch.setitem(GAMES, "broken", bad)
        with pytest.raises(ConfigError, match="names no GameSpec"):
            game_spec("broken")
