"""The learning-rate schedule of a game, from the train section of its config, and the phase that applies it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch

from gankit.config.schema import Config
from gankit.training.phase import Stats
from gankit.training.schedules import lr_multiplier
from gankit.training.state import TrainState

Schedule = Callable[[int], float]


def lr_schedule_of(cfg: Config) -> Schedule | None:
    """step -> multiplier of the base rates (train.lr_schedule, decay_start, lr_end), or None for a constant rate."""
    t = cfg.train
    if t.lr_schedule == "constant":
        return None
    return partial(lr_multiplier, t.lr_schedule, total=t.steps, decay_start=t.decay_start, end=t.lr_end)


class ScheduledRates:
    """Sets every player's rate to its base × schedule(step) each iteration; logs the first player's rate as 'lr'."""

    def __init__(self, state: TrainState, schedule: Schedule | None) -> None:
        self.state, self.schedule = state, schedule
        self.base = {name: [g["lr"] for g in p.opt.param_groups] for name, p in state.players.items()}

    def __call__(self, log: bool) -> Stats:
        """The LR phase."""
        m = self.schedule(self.state.step) if self.schedule is not None else 1.0
        for name, player in self.state.players.items():
            for g, lr in zip(player.opt.param_groups, self.base[name]):
                g["lr"] = lr * m
        first = next(iter(self.state.players.values()))
        return {"lr": torch.tensor(first.opt.param_groups[0]["lr"])} if log else {}
