"""The training loop: phases, state, EMA, checkpoints and callbacks."""

from gankit.training.loop import Trainer
from gankit.training.phases import GamePhases, Phase
from gankit.training.state import TrainState

__all__ = ["GamePhases", "Phase", "TrainState", "Trainer"]
