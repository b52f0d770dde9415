"""TrainState: everything that must be saved for a run to continue exactly where it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gankit.training.batches import EpochBatches
from gankit.training.ema import EMA
from gankit.utils.seeding import global_rng_state, set_global_rng_state


@dataclass
class TrainState:
    """The two players, the generator's average, their optimisers, the RNGs and the step counter.

    `step` counts iterations of the schedule (one G update each), not optimiser steps.
    """

    G: nn.Module
    D: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    z_gen: torch.Generator
    batches: EpochBatches
    ema: EMA | None = None
    step: int = 0
    # Other stateful parts of the game (ADA's p, the balancer), each with state_dict/load_state_dict.
    components: dict[str, Any] = field(default_factory=dict)
    # Under torchrun: the DDP wrappers that the phases train through (G and D stay the bare networks)
    G_train: nn.Module | None = None
    D_train: nn.Module | None = None
    rank: int = 0
    world_size: int = 1

    @property
    def sampler(self) -> nn.Module:
        """The network to sample from: the EMA copy when there is one, else G."""
        return self.ema.model if self.ema is not None else self.G

    def weights(self) -> dict[str, dict[str, torch.Tensor]]:
        """Network tensors by file name (saved as safetensors)."""
        out = {"G": self.G.state_dict(), "D": self.D.state_dict()}
        if self.ema is not None:
            out["G_ema"] = self.ema.model.state_dict()
        return out

    def load_weights(self, weights: dict[str, dict[str, torch.Tensor]]) -> None:
        """Load tensors written by `weights`."""
        self.G.load_state_dict(weights["G"])
        self.D.load_state_dict(weights["D"])
        if self.ema is not None:
            self.ema.model.load_state_dict(weights["G_ema"])

    def extra_state(self) -> dict[str, Any]:
        """Optimisers, RNGs, sampler position and counters (saved with torch.save, loaded weights_only)."""
        return {
            "step": self.step,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "z_gen": self.z_gen.get_state(),
            "batches": self.batches.state_dict(),
            "rng": global_rng_state(),
            "components": {name: c.state_dict() for name, c in self.components.items()},
            "world_size": self.world_size,
        }

    def rank_streams(self) -> dict[str, Any]:
        """This rank's own random streams (noise and global RNGs), gathered by rank 0 for a DDP checkpoint."""
        return {"z_gen": self.z_gen.get_state(), "rng": global_rng_state()}

    def load_extra_state(self, extra: dict[str, Any]) -> None:
        """Restore what `extra_state` saved (each rank takes its own streams from a DDP checkpoint)."""
        self.step = int(extra["step"])
        self.opt_g.load_state_dict(extra["opt_g"])
        self.opt_d.load_state_dict(extra["opt_d"])
        streams = extra.get("rank_streams")
        mine = streams[self.rank] if streams and self.rank < len(streams) and \
            int(extra.get("world_size", 1)) == self.world_size else None
        if mine is not None:
            self.z_gen.set_state(mine["z_gen"])
            set_global_rng_state(mine["rng"])
        elif self.rank == 0:
            self.z_gen.set_state(extra["z_gen"])
            set_global_rng_state(extra["rng"])
        self.batches.load_state_dict(extra["batches"])
        for name, c in self.components.items():
            c.load_state_dict(extra["components"][name])
