"""CycleGAN (Zhu et al. 2017): two translators G: A→B and F: B→A, each against a PatchGAN that judges its target domain.

One iteration: the generators' step (both adversarial terms, the cycle loss and the identity loss,
with both discriminators frozen), then each discriminator's step on real images of its domain and
on fakes drawn from its history pool. Players: G_AB (the paper's G), G_BA (F), D_A (judges A, so it
plays against F) and D_B (judges B, against G).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.games.schedule import Schedule, ScheduledRates
from gankit.games.stats import game_stats
from gankit.games.translation.pool import ImagePool
from gankit.losses.adversarial import Objective
from gankit.losses.translation import cycle_loss, identity_loss
from gankit.training.callbacks import Callback
from gankit.training.numerics import autocast, backward, grad_norm, optimizer_step, unscaled_grad_norm
from gankit.training.phase import Phase, Stats
from gankit.training.state import Player, TrainState


@dataclass(frozen=True)
class CycleOptions:
    """The weights and schedule of one CycleGAN game: λ_cyc, λ_id = identity·λ_cyc, precision, the lr schedule."""

    cycle: float = 10.0
    identity: float = 0.5
    precision: str = "fp32"
    lr_schedule: Schedule | None = None  # constant, then a linear decay to 0 in the paper


class CycleGame:
    """The CycleGAN game on a TrainState with players G_AB, G_BA, D_A, D_B and pools 'pool_a', 'pool_b'."""

    def __init__(self, state: TrainState, objective: Objective, options: CycleOptions) -> None:
        self.state, self.obj, self.o = state, objective, options
        p = state.players
        self.G_AB, self.G_BA, self.D_A, self.D_B = p["G_AB"], p["G_BA"], p["D_A"], p["D_B"]
        self.device = next(self.G_AB.net.parameters()).device
        self.lr_step = ScheduledRates(state, options.lr_schedule)
        self.fakes: tuple[torch.Tensor, torch.Tensor] | None = None  # (F(b), G(a)) of the last G step
        self.reals: tuple[torch.Tensor, torch.Tensor] | None = None

    def g_step(self, log: bool) -> Stats:
        """Both generators' update: L_GAN(G, D_B) + L_GAN(F, D_A) + L_cyc + L_id, the discriminators frozen."""
        a, b = self.state.batches.next()
        for d in (self.D_A, self.D_B):
            d.net.requires_grad_(False)
        try:
            with autocast(self.o.precision, self.device):
                terms = self._g_terms(a, b)
            loss = terms["adv_g"] + terms["cycle"] + terms["identity"]
            for g in (self.G_AB, self.G_BA):
                g.opt.zero_grad(set_to_none=True)
            backward(loss, self.G_AB.scaler)
        finally:
            for d in (self.D_A, self.D_B):
                d.net.requires_grad_(True)
        out = {"loss_g": loss.detach(), **{k: v.detach() for k, v in terms.items() if k != "fakes"}}
        if log:
            out["grad_norm_g"] = grad_norm([*self.G_AB.net.parameters(), *self.G_BA.net.parameters()])
        for g in (self.G_AB, self.G_BA):
            optimizer_step(g.opt, g.scaler)
        self.reals = (a, b)
        return out

    def _g_terms(self, a: torch.Tensor, b: torch.Tensor) -> dict[str, torch.Tensor]:
        fake_b, fake_a = self.G_AB.trained(a), self.G_BA.trained(b)
        a_back, b_back = self.G_BA.trained(fake_b), self.G_AB.trained(fake_a)
        self.fakes = (fake_a.detach(), fake_b.detach())
        adv = self._adversarial(self.D_B, fake_b, b) + self._adversarial(self.D_A, fake_a, a)
        cyc = cycle_loss(a.float(), a_back.float(), b.float(), b_back.float(), self.o.cycle)
        weight = self.o.identity * self.o.cycle
        if weight > 0:  # each generator should leave an image of its own target domain as it is
            idt = identity_loss(a.float(), self.G_BA.trained(a).float(), b.float(), self.G_AB.trained(b).float(), weight)
        else:
            idt = torch.zeros((), device=a.device)
        return {"adv_g": adv, "cycle": cyc, "identity": idt}

    def _adversarial(self, judge: Player, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """A generator's adversarial loss against the discriminator of its target domain (run bare, frozen)."""
        real_logits = judge.net(real).float() if self.obj.needs_real_for_g else None
        return self.obj.g(judge.net(fake).float(), real_logits)

    def d_step(self, log: bool) -> Stats:
        """Each discriminator's update on real images of its domain and fakes from its pool (D_A, then D_B)."""
        if self.fakes is None or self.reals is None:  # the G step of this iteration keeps them
            raise RuntimeError("the D step needs the fakes of a G step; schedule G before D")
        out: Stats = {}
        (fake_a, fake_b), (a, b) = self.fakes, self.reals
        pools = self.state.components
        for name, player, real, fake in (("a", self.D_A, a, pools["pool_a"].query(fake_a)),
                                         ("b", self.D_B, b, pools["pool_b"].query(fake_b))):
            with autocast(self.o.precision, self.device):
                real_logits, fake_logits = player.trained(real), player.trained(fake)
                loss = self.obj.d(real_logits.float(), fake_logits.float())
            player.opt.zero_grad(set_to_none=True)
            backward(loss, player.scaler)
            if log:
                out[f"grad_norm_d_{name}"] = unscaled_grad_norm(player.net, player.opt, player.scaler)
            optimizer_step(player.opt, player.scaler)
            stats = game_stats(real_logits, fake_logits, self.obj)
            out.update({f"loss_d_{name}": loss.detach(), f"acc_{name}": stats["acc"],
                        f"d_real_{name}": stats["d_real"], f"d_fake_{name}": stats["d_fake"]})
        out["loss_d"] = (out["loss_d_a"] + out["loss_d_b"]) / 2
        out["acc"] = (out["acc_a"] + out["acc_b"]) / 2
        self.fakes = self.reals = None
        return out

    def schedule(self) -> list[Phase]:
        """Learning rates, the generators' step, then the discriminators' (the order of the paper's code)."""
        return [Phase("LR", self.lr_step), Phase("G", self.g_step), Phase("D", self.d_step)]

    def callbacks(self) -> list[Callback]:
        """None of its own."""
        return []


def make_pools(size: int, seed: int) -> dict[str, ImagePool]:
    """The two discriminators' history pools, each on its own seeded stream."""
    return {"pool_a": ImagePool(size, seed), "pool_b": ImagePool(size, seed + 1)}
