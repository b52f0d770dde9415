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
class Player:
    """One network that learns: the bare module, its optimiser, and the wrapper it trains through.

    `train_net` is a DDP or torch.compile wrapper sharing `net`'s weights (None: train `net` itself);
    `compiled_net` is `net` compiled without DDP (for passes whose gradients reach no weight of this
    player, such as D judging G's fakes in G's step); `ddp` says whether `train_net` holds a DDP
    wrapper; `scaler` is its fp16 loss scaler (None otherwise).
    """

    net: nn.Module
    opt: torch.optim.Optimizer
    train_net: nn.Module | None = None
    scaler: torch.amp.GradScaler | None = None
    compiled_net: nn.Module | None = None
    ddp: bool = False

    @property
    def trained(self) -> nn.Module:
        """The module updates go through: the wrapper when there is one, else the bare network."""
        return self.net if self.train_net is None else self.train_net

    @property
    def local(self) -> nn.Module:
        """The network without DDP, compiled when the run compiles (no gradient sync, no DDP hooks)."""
        return self.net if self.compiled_net is None else self.compiled_net


@dataclass
class TrainState:
    """The players of a game, the average of the sampling network, the RNGs and the step counter.

    `step` counts iterations of the schedule, not optimiser steps. Checkpoints name each player's
    weights by its key (G.safetensors), its optimiser `opt_<key>` and the average `<ema_of>_ema`.
    """

    players: dict[str, Player]
    z_gen: torch.Generator
    batches: EpochBatches
    ema: EMA | None = None
    ema_of: str = "G"
    step: int = 0
    # Other stateful parts of the game (ADA's p, the balancer), each with state_dict/load_state_dict.
    components: dict[str, Any] = field(default_factory=dict)
    # Networks that do not learn but are saved with the players (SeqGAN's MLE-pretrained G, its rollout copy).
    kept: dict[str, nn.Module] = field(default_factory=dict)
    rank: int = 0
    world_size: int = 1

    @property
    def sampler(self) -> nn.Module:
        """The network to sample from: the EMA copy when there is one, else the averaged player's network."""
        return self.ema.ready() if self.ema is not None else self.players[self.ema_of].net

    def weights(self) -> dict[str, dict[str, torch.Tensor]]:
        """Network tensors by file name (saved as safetensors)."""
        out = {name: p.net.state_dict() for name, p in self.players.items()}
        if self.ema is not None:
            out[f"{self.ema_of}_ema"] = self.ema.ready().state_dict()
        out.update({name: net.state_dict() for name, net in self.kept.items()})
        return out

    def load_weights(self, weights: dict[str, dict[str, torch.Tensor]]) -> None:
        """Load tensors written by `weights`."""
        for name, p in self.players.items():
            p.net.load_state_dict(weights[name])
        if self.ema is not None:
            self.ema.model.load_state_dict(weights[f"{self.ema_of}_ema"])
            self.ema.loaded()
        for name, net in self.kept.items():
            net.load_state_dict(weights[name])

    def extra_state(self) -> dict[str, Any]:
        """Optimisers, RNGs, sampler position and counters (saved with torch.save, loaded weights_only)."""
        return {
            "step": self.step,
            **{f"opt_{name.lower()}": p.opt.state_dict() for name, p in self.players.items()},
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
        for name, p in self.players.items():
            p.opt.load_state_dict(extra[f"opt_{name.lower()}"])
        streams = extra.get("rank_streams")
        same_world = int(extra.get("world_size", 1)) == self.world_size
        mine = streams[self.rank] if streams and self.rank < len(streams) and same_world else None
        if mine is not None:
            self.z_gen.set_state(mine["z_gen"])
            set_global_rng_state(mine["rng"])
        elif self.rank == 0:
            self.z_gen.set_state(extra["z_gen"])
            set_global_rng_state(extra["rng"])
        self.batches.load_state_dict(extra["batches"])
        for name, c in self.components.items():
            c.load_state_dict(extra["components"][name])
