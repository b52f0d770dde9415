"""The adversarial game: G against D (Goodfellow et al. 2014) with its successors' objectives and stabilisers."""

from gankit.games.adversarial.build import build_game, build_networks, build_state, game_options
from gankit.games.adversarial.game import AdversarialGame, Batch
from gankit.games.base import GameSpec, by_shape

SPEC = GameSpec("adversarial", build=build_game, networks=by_shape(build_networks))

__all__ = ["SPEC", "AdversarialGame", "Batch", "build_game", "build_networks", "build_state", "game_options"]
