"""A second game, as a test fixture: two generators share the work against one discriminator.

Each fake batch is half G1's and half G2's samples (a mixture of two generators, as in MGAN, Hoang et
al. 2018, without its classifier); D plays against the mixture and each G takes its own step. It
proves the layout: a game is a spec (how to build it, its networks) registered in games.registry,
and training/, build.py, run.py and api.py run it unchanged.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.games.base import GameSpec, by_shape
from gankit.losses.adversarial import get_objective
from gankit.models.mlp import MLPDiscriminator, MLPGenerator
from gankit.training.batches import EpochBatches
from gankit.training.distributed import DistContext
from gankit.training.ema import EMA
from gankit.training.numerics import backward, grad_norm, optimizer_step
from gankit.training.phase import Phase, Stats
from gankit.training.state import Player, TrainState
from gankit.utils.seeding import derive_seed, make_generator, seed_everything

GENERATORS = ("G1", "G2")


def networks(cfg: Config, shape: tuple[int, ...], num_classes: int = 0) -> dict[str, nn.Module]:
    """Two MLP generators and one MLP discriminator, sized by the config's model section."""
    m = cfg.model
    nets: dict[str, nn.Module] = {g: MLPGenerator(m.z_dim, shape, m.g_width, m.g_depth) for g in GENERATORS}
    nets["D"] = MLPDiscriminator(shape, m.d_width, m.d_depth)
    return nets


class TwoGenerators:
    """Phases: one D step against the mixture, then one step for each generator, then G1's EMA."""

    def __init__(self, state: TrainState, objective: str, batch_size: int, z_dim: int) -> None:
        self.state, self.obj, self.batch_size, self.z_dim = state, get_objective(objective), batch_size, z_dim
        self.updates = dict.fromkeys((*GENERATORS, "D"), 0)  # counted, so a test can check the schedule

    def _fakes(self, name: str, n: int) -> torch.Tensor:
        z = torch.randn(n, self.z_dim, generator=self.state.z_gen)
        return self.state.players[name].net(z)

    def _update(self, name: str, loss: torch.Tensor) -> Stats:
        player = self.state.players[name]
        player.opt.zero_grad(set_to_none=True)
        backward(loss, player.scaler)
        norm = grad_norm(player.net.parameters())
        optimizer_step(player.opt, player.scaler)
        self.updates[name] += 1
        return {f"loss_{name.lower()}": loss.detach(), f"grad_norm_{name.lower()}": norm}

    def d_step(self, log: bool) -> Stats:
        """D against real data and a fake batch drawn half from each generator."""
        real, _ = self.state.batches.next()
        half = self.batch_size // 2
        with torch.no_grad():
            fake = torch.cat([self._fakes("G1", half), self._fakes("G2", self.batch_size - half)])
        D = self.state.players["D"].net
        real_logits, fake_logits = D(real), D(fake)
        acc = ((real_logits > 0).float().mean() + (fake_logits < 0).float().mean()) / 2
        return {**self._update("D", self.obj.d(real_logits, fake_logits)), "acc": acc}

    def g_step(self, name: str) -> Stats:
        """One generator's update against D (D's weights frozen)."""
        D = self.state.players["D"].net.requires_grad_(False)
        try:
            loss = self.obj.g(D(self._fakes(name, self.batch_size)), None)
        finally:
            D.requires_grad_(True)
        return self._update(name, loss)

    def ema_step(self, log: bool) -> Stats:
        """G1's average, which samples."""
        self.state.ema.update(self.state.players["G1"].net, self.state.step + 1)
        return {}

    def schedule(self) -> list[Phase]:
        """D, G1, G2, EMA."""
        gs = [Phase(g, lambda log, g=g: self.g_step(g)) for g in GENERATORS]
        return [Phase("D", self.d_step), *gs, Phase("EMA", self.ema_step)]

    def callbacks(self) -> list:
        """None of its own."""
        return []


def build(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
          run_path=None) -> TwoGenerators:
    """The game on a fresh state: every player with its own Adam, G1's EMA, the run's noise stream and batches."""
    seed_everything(cfg.seed)
    t = cfg.train
    nets = networks(cfg, data.sample_shape)
    players = {name: Player(net, torch.optim.Adam(net.parameters(), lr=t.lr_d if name == "D" else t.lr_g,
                                                  betas=(t.beta1, t.beta2))) for name, net in nets.items()}
    state = TrainState(players, make_generator(derive_seed(cfg.seed, 1)),
                       EpochBatches(data.x, data.y, t.batch_size, cfg.seed, data.to_model_space),
                       ema=EMA(nets["G1"], t.ema_decay), ema_of="G1")
    return TwoGenerators(state, cfg.loss.objective, t.batch_size, cfg.model.z_dim)


SPEC = GameSpec("two-generators", build=build, networks=by_shape(networks), sampler="G1", judge="D")
