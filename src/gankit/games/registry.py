"""Game names -> specs, written out by hand: a new game is a new folder and one line here."""

from __future__ import annotations

from gankit.errors import ConfigError
from gankit.games import adversarial, seqgan, text2img, translation
from gankit.games.base import GameSpec

GAMES: dict[str, GameSpec] = {
    "adversarial": adversarial.SPEC,
    "cyclegan": translation.CYCLEGAN,
    "pix2pix": translation.PIX2PIX,
    "seqgan": seqgan.SEQGAN,
    "text2img": text2img.TEXT2IMG,
}


def game_names() -> list[str]:
    """Names accepted by the config key `game`."""
    return list(GAMES)


def game_spec(name: str) -> GameSpec:
    """The spec of a game; an unknown name lists the valid ones."""
    if name not in GAMES:
        raise ConfigError(f"game={name!r} is not a game gankit knows; choose one of: {', '.join(GAMES)}")
    return GAMES[name]
