"""What every game gives the Trainer and the rest of gankit: a contract, and a spec that build.py and run.py use.

A game is a folder under games/: its networks, its players (network, optimiser, scaler) on a
TrainState, and its phases. The Trainer runs `schedule()` and the game's `callbacks()`; a run folder
is rebuilt for sampling from `GameSpec.networks` alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.training.callbacks import Callback
from gankit.training.distributed import DistContext
from gankit.training.phase import Phase
from gankit.training.state import TrainState


class Game(Protocol):
    """A game in play: its state (players, RNGs, step) and the phases of one iteration."""

    state: TrainState

    def schedule(self) -> list[Phase]:
        """The phases of one iteration, in order."""
        ...

    def callbacks(self) -> list[Callback]:
        """Callbacks of the game itself, run on every rank (e.g. a balancer)."""
        ...


BuildGame = Callable[[Config, ArrayDataset, torch.device, DistContext | None, Path | None], Game]
# (config, the run's data facts: data.json / ArrayDataset.info()) -> its networks by player name
BuildNetworks = Callable[[Config, Mapping[str, Any]], dict[str, nn.Module]]
NetworksByShape = Callable[[Config, tuple[int, ...], int], dict[str, nn.Module]]
# A game's own progress pictures: (state, data, samples folder, n, seed) -> fn(step) that writes them.
BuildPictures = Callable[[TrainState, ArrayDataset, Path, int, int], Callable[[int], None]]


def by_shape(networks: NetworksByShape) -> BuildNetworks:
    """A BuildNetworks for networks that need only the sample shape and the number of classes."""
    return lambda cfg, facts: networks(cfg, tuple(facts["shape"]), len(facts["class_names"]))


@dataclass(frozen=True)
class GameSpec:
    """How to build a game from a config, and its networks for sampling from a run folder.

    `sampler` names the network that draws samples (its EMA copy `<sampler>_ema` when kept) and
    `judge` the one that scores them (D's rejection, the snapshot mixture). A translation game
    maps images to images: `directions` names its generator for each direction ('AtoB' -> 'G_AB'),
    and is empty for a game that draws from noise. `pictures` replaces the noise-to-sample grids
    that a run writes while it trains.
    """

    name: str
    build: BuildGame
    networks: BuildNetworks
    sampler: str = "G"
    judge: str = "D"
    directions: Mapping[str, str] = field(default_factory=dict)
    pictures: BuildPictures | None = None

    @property
    def translates(self) -> bool:
        """Whether the game maps images of one domain to another (no noise, no sampling)."""
        return bool(self.directions)
