"""pix2pix (Isola et al. 2017): a U-Net G: x→y against a conditional PatchGAN that sees the input with the output.

One iteration: D's step on the real pair (x, y) against the fake pair (x, G(x)), then G's step on
L_cGAN(G, D) + λ·‖y − G(x)‖₁ (eq. 4) with D frozen. Players: G (A→B) and D. The noise z of the
paper is the dropout inside G, active while training.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.games.schedule import Schedule, ScheduledRates
from gankit.games.stats import game_stats
from gankit.losses.adversarial import Objective
from gankit.losses.translation import paired_l1_loss
from gankit.training.callbacks import Callback
from gankit.training.numerics import autocast, backward, optimizer_step, unscaled_grad_norm
from gankit.training.phase import Phase, Stats
from gankit.training.state import TrainState


@dataclass(frozen=True)
class PairedOptions:
    """λ of the L1 term, precision, the lr schedule."""

    l1: float = 100.0
    precision: str = "fp32"
    lr_schedule: Schedule | None = None


def pair(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """What the conditional D sees: the input and an output side by side in the channels."""
    return torch.cat([x, y], 1)


class PairedGame:
    """The pix2pix game on a TrainState with players G and D."""

    def __init__(self, state: TrainState, objective: Objective, options: PairedOptions) -> None:
        self.state, self.obj, self.o = state, objective, options
        self.G, self.D = state.players["G"], state.players["D"]
        self.device = next(self.G.net.parameters()).device
        self.lr_step = ScheduledRates(state, options.lr_schedule)
        self.batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None  # x, y, G(x) with its graph

    def d_step(self, log: bool) -> Stats:
        """D's update: the real pair (x, y) against the fake pair (x, G(x))."""
        x, y = self.state.batches.next()
        with autocast(self.o.precision, self.device):
            fake = self.G.trained(x)
            real_logits = self.D.trained(pair(x, y))
            fake_logits = self.D.trained(pair(x, fake.detach()))
            loss = self.obj.d(real_logits.float(), fake_logits.float())
        self.D.opt.zero_grad(set_to_none=True)
        backward(loss, self.D.scaler)
        out = {"loss_d": loss.detach(), **game_stats(real_logits, fake_logits, self.obj)}
        if log:
            out["grad_norm_d"] = unscaled_grad_norm(self.D.net, self.D.opt, self.D.scaler)
        optimizer_step(self.D.opt, self.D.scaler)
        self.batch = (x, y, fake)
        return out

    def g_step(self, log: bool) -> Stats:
        """G's update on the same fake batch: fool D about (x, G(x)) and stay within L1 of y."""
        if self.batch is None:
            raise RuntimeError("the G step needs the batch of a D step; schedule D before G")
        x, y, fake = self.batch
        self.D.net.requires_grad_(False)
        try:
            with autocast(self.o.precision, self.device):
                fake_logits = self.D.net(pair(x, fake))
                real_logits = self.D.net(pair(x, y)).float() if self.obj.needs_real_for_g else None
                adv = self.obj.g(fake_logits.float(), real_logits)
            l1 = paired_l1_loss(fake.float(), y.float(), self.o.l1)
            loss = adv + l1
            self.G.opt.zero_grad(set_to_none=True)
            backward(loss, self.G.scaler)
        finally:
            self.D.net.requires_grad_(True)
            self.batch = None
        out = {"loss_g": loss.detach(), "adv_g": adv.detach(), "l1": l1.detach()}
        if log:
            out["grad_norm_g"] = unscaled_grad_norm(self.G.net, self.G.opt, self.G.scaler)
        optimizer_step(self.G.opt, self.G.scaler)
        return out

    def schedule(self) -> list[Phase]:
        """Learning rates, D, then G on D's fake batch."""
        return [Phase("LR", self.lr_step), Phase("D", self.d_step), Phase("G", self.g_step)]

    def callbacks(self) -> list[Callback]:
        """None of its own."""
        return []
