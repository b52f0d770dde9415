"""The training loop: phases, state, EMA, checkpoints and callbacks; it knows no game and no model family."""

from gankit.training.loop import Trainer
from gankit.training.phase import Phase
from gankit.training.state import Player, TrainState

__all__ = ["Phase", "Player", "TrainState", "Trainer"]
