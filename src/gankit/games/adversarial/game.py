"""The adversarial game of Goodfellow et al. (2014) and its successors: G against D, as named phases.

Algorithm 1 of the paper: k discriminator updates, then one generator update. Each phase is a
short function of an explicit `Batch` (the real batch of the last D step, its labels, and the fake
batch the G step may reuse); it returns a dict of detached scalars that the Trainer logs. What D
sees is `DiscriminatorView` (augmentation, then packing). Family-specific pieces are asked for
through the model protocols (an auxiliary classifier, style codes), never by family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from gankit.games.adversarial.options import GameOptions
from gankit.games.adversarial.path_length import PathLengthState
from gankit.games.adversarial.regularizers import clip_weights, penalty_sum
from gankit.games.adversarial.unroll import unrolled_params
from gankit.games.adversarial.view import DiscriminatorView
from gankit.games.stats import game_stats, mean_into
from gankit.losses.adversarial import Objective
from gankit.losses.classes import class_loss
from gankit.losses.penalties import path_length_penalty
from gankit.models.protocols import has_aux_classifier, is_style_generator
from gankit.training.callbacks import Callback
from gankit.training.numerics import (
    autocast,
    backward,
    eager,
    optimizer_step,
    touch_every_weight,
    unscaled_grad_norm,
)
from gankit.training.phase import Phase, Stats
from gankit.training.state import Player, TrainState


@dataclass
class Batch:
    """The last D step's real batch, its labels (None when unconditional) and, when kept, G's fake batch with its graph."""

    real: torch.Tensor
    labels: torch.Tensor | None
    fake: torch.Tensor | None = None


class AdversarialGame:
    """G against D on one TrainState (players 'G' and 'D'), an objective and options.

    `d_steps` (D updates per iteration), `d_every` (run the D phase every n iterations) and
    `lr_scale_d` are the knobs the automatic balancer turns between iterations.
    """

    def __init__(self, state: TrainState, objective: Objective, options: GameOptions) -> None:
        self.state, self.obj, self.o = state, objective, options
        self.G: Player = state.players["G"]
        self.D: Player = state.players["D"]
        self.device = next(self.G.net.parameters()).device
        self.memory_format = torch.channels_last if options.channels_last else torch.contiguous_format
        self.d_steps, self.d_every, self.lr_scale_d = options.d_steps, 1, 1.0
        self.base_lr_g = [g["lr"] for g in self.G.opt.param_groups]
        self.base_lr_d = [g["lr"] for g in self.D.opt.param_groups]
        self.ada = state.components.get("ada")
        self.view = DiscriminatorView(options.augment, options.pack)
        self.aux = options.conditional and has_aux_classifier(self.D.net) and options.aux.weight > 0
        self.mixes_styles = options.style_mixing > 0 and is_style_generator(self.G.net)
        self.batch: Batch | None = None
        self.watchers: list[Callback] = []  # callbacks of the game itself on every rank (the balancer)

    # -- inputs ----------------------------------------------------------------------------------
    def sample_z(self, n: int) -> torch.Tensor:
        """Standard normal noise from the run's own generator."""
        return torch.randn(n, self.o.z_dim, generator=self.state.z_gen, device=self.device)

    def real_batch(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """A real batch and, for a conditional game, its labels (else None)."""
        x, y = self.state.batches.next()
        x = x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x
        return x, (y if self.o.conditional else None)

    def generate(self, net: nn.Module, n: int, labels: torch.Tensor | None, **kwargs: Any) -> torch.Tensor:
        """A fake batch from `net` (G or its wrapper); with style mixing on, some batches mix two latents.

        Style-mixing regularisation (Karras et al. 2019, section 3.1): with probability p the layers from
        a random cutoff on take their styles from a second z. The draw uses the run's noise generator,
        so it is resumed exactly. The cutoff stays a device tensor: a batch that does not mix gets cutoff
        num_ws (every layer keeps its own styles), so the step never waits on the host (issue 23).
        """
        z = self.sample_z(n)
        args = (z,) if labels is None else (z, labels)
        if self.mixes_styles:
            gen, num_ws = self.state.z_gen, self.G.net.num_ws
            u = torch.rand((), generator=gen, device=self.device)
            cutoff = torch.randint(1, num_ws, (), generator=gen, device=self.device)
            no_mix = torch.full_like(cutoff, num_ws)
            kwargs.update(mix_z=self.sample_z(n), mix_cutoff=torch.where(u < self.o.style_mixing, cutoff, no_mix))
        return net(*args, **kwargs)

    def aux_loss_d(self, class_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """D's class term: cross-entropy of its auxiliary classifier (Odena et al. 2017, eq. 2), weighted."""
        a = self.o.aux
        return (a.weight if a.weight_d is None else a.weight_d) * class_loss(class_logits, labels)

    def aux_loss_g(self, class_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """G's class term (eq. 3), each sample's cross-entropy floored at −log(confidence), weighted."""
        return self.o.aux.weight * class_loss(class_logits, labels, self.o.aux.confidence)

    def penalty(self, real: torch.Tensor, fake: torch.Tensor | None, labels: torch.Tensor | None,
                scale: float = 1.0) -> tuple[torch.Tensor, Stats]:
        """D's active gradient penalties (through its eager module: double backward), in a conditional game within one class."""
        critic_net = eager(self.D.trained)
        return penalty_sum(lambda x: self.view.judge(critic_net, x, labels)[0], real, fake, self.o.reg, scale)

    # -- phases ----------------------------------------------------------------------------------
    def lr_step(self, log: bool) -> Stats:
        """Set both learning rates for this iteration: base × schedule(step), D's also × the balancer's scale."""
        m = self.o.lr_schedule(self.state.step) if self.o.lr_schedule is not None else 1.0
        for g, lr in zip(self.G.opt.param_groups, self.base_lr_g):
            g["lr"] = lr * m
        for g, lr in zip(self.D.opt.param_groups, self.base_lr_d):
            g["lr"] = lr * m * self.lr_scale_d
        if log:
            return {"lr_g": torch.tensor(self.G.opt.param_groups[0]["lr"]),
                    "lr_d": torch.tensor(self.D.opt.param_groups[0]["lr"])}
        return {}

    def d_step(self, log: bool, keep_fake: bool = False) -> Stats:
        """One discriminator update on a real batch and a fresh fake batch (with penalties unless lazy)."""
        real, y = self.real_batch()
        with autocast(self.o.precision, self.device):
            with torch.set_grad_enabled(keep_fake):
                fake = self.generate(self.G.trained if keep_fake else self.G.net, self.o.batch_size, y)
            real_logits, real_cls = self.view.judge(self.D.trained, real, y, aux=self.aux)
            fake_logits, fake_cls = self.view.judge(self.D.trained, fake.detach(), y, aux=self.aux)
            loss = self.obj.d(real_logits.float(), fake_logits.float())
        out = {"loss_d": loss.detach(), **game_stats(real_logits, fake_logits, self.obj)}
        if self.aux:  # D maximises the log-likelihood of the right class on both sides (Odena et al. 2017, eq. 2)
            loss = loss + self.aux_loss_d(real_cls, y)
            if self.o.aux.fake_in_d:
                loss = loss + self.aux_loss_d(fake_cls, y)
            out["cls_acc_real"] = (real_cls.argmax(1) == y).float().mean()
            out["cls_acc_fake"] = (fake_cls.argmax(1) == y).float().mean()
        if self.o.reg.active and self.o.reg.every == 1:
            pen, pstats = self.penalty(real, fake.detach(), y)
            loss = loss + pen
            out.update(pstats)
        self._update(self.D, loss, out if log else None, "grad_norm_d")
        if self.o.reg.clip > 0:
            clip_weights(self.D.net, self.o.reg.clip)
        if self.ada is not None and self.o.adapt_p:
            self.ada.update(real_logits.detach(), self.o.batch_size)
        self.batch = Batch(real, y, fake if keep_fake else None)
        return out

    def d_phase(self, log: bool) -> Stats:
        """`d_steps` D updates (every `d_every` iterations); the last may keep its fake batch for the G step."""
        if self.state.step % self.d_every:
            return {}
        out: Stats = {}
        for i in range(self.d_steps):
            last = i == self.d_steps - 1
            out = mean_into(out, self.d_step(log and last, keep_fake=self.o.reuse_fake and last), i)
        return out

    def d_reg_step(self, log: bool) -> Stats:
        """Lazy regularisation: the penalties alone, scaled by their interval, as their own D update."""
        real, y = (self.batch.real, self.batch.labels) if self.batch is not None else self.real_batch()
        fake = None
        if self.o.reg.needs_fake:  # R1 alone: no generator pass
            with torch.no_grad():
                fake = self.generate(self.G.net, self.o.batch_size, y).float()
        pen, stats = self.penalty(real.float(), fake, y, scale=self.o.reg.every)
        self._update(self.D, touch_every_weight(pen, self.D.net, self.D.ddp))
        return stats

    def g_step(self, log: bool) -> Stats:
        """One generator update; D's weights are frozen (no gradient wasted on them) and D runs without DDP."""
        self.D.net.requires_grad_(False)
        try:
            with autocast(self.o.precision, self.device):
                loss = self._g_loss()
            self.G.opt.zero_grad(set_to_none=True)
            backward(loss, self.G.scaler)
        finally:
            self.D.net.requires_grad_(True)
            if self.batch is not None:
                self.batch.fake = None
        out = {"loss_g": loss.detach()}
        if log:
            out["grad_norm_g"] = unscaled_grad_norm(self.G.net, self.G.opt, self.G.scaler)
            out["d_per_g"] = torch.tensor(self.d_steps / self.d_every)
            if self.ada is not None:
                out["aug_p"] = torch.tensor(float(self.ada.p))
        optimizer_step(self.G.opt, self.G.scaler)
        return out

    def _g_loss(self) -> torch.Tensor:
        """G's objective on the kept fake batch (or a fresh one), against D as it is or as it would answer."""
        real, y = (self.batch.real, self.batch.labels) if self.batch is not None else self.real_batch()
        fake = self.batch.fake if self.batch is not None and self.batch.fake is not None else \
            self.generate(self.G.trained, self.o.batch_size, y)
        if self.o.unroll.steps > 0:
            params = unrolled_params(
                self.D.net, self.obj, real, lambda: self.generate(eager(self.G.trained), self.o.batch_size, y),
                lambda p, x: self.view.judge_with(self.D.net, p, x, y), self.o.unroll.steps, self.o.unroll.lr)
            fake_logits, fake_cls = self.view.judge_with(self.D.net, params, fake, y), None
            real_logits = self.view.judge_with(self.D.net, params, real, y) if self.obj.needs_real_for_g else None
        else:  # D without DDP (its weights are frozen here), compiled when the run compiles
            fake_logits, fake_cls = self.view.judge(self.D.local, fake, y, aux=self.aux)
            real_logits = self.view.judge(self.D.local, real, y)[0] if self.obj.needs_real_for_g else None
        loss = self.obj.g(fake_logits.float(), None if real_logits is None else real_logits.float())
        if fake_cls is not None:  # G also maximises the log-likelihood of the asked class (eq. 3)
            loss = loss + self.aux_loss_g(fake_cls, y)
        return loss

    def g_reg_step(self, log: bool) -> Stats:
        """Lazy path-length regularisation of G (Karras et al. 2020, section 3.2), scaled by its interval.

        A batch of batch_size / batch_shrink fakes; the penalty pulls ‖J_wᵀy‖ towards its running mean
        (kept in state.components['pl'], so it is checkpointed).
        """
        o, pl = self.o.path_length, self.state.components["pl"]
        n = max(1, self.o.batch_size // o.batch_shrink)
        if self.batch is not None and self.batch.labels is not None:
            y = self.batch.labels[:n]
        else:
            y = self.real_batch()[1] if self.o.conditional else None
        images, ws = self.generate(eager(self.G.trained), n, y, return_ws=True)
        pen, pl.mean, _ = path_length_penalty(images.float(), ws, pl.mean, o.decay, generator=self.state.z_gen)
        self._update(self.G, touch_every_weight(pen * (o.weight * o.every), self.G.net, self.G.ddp))
        return {"pen_pl": pen.detach(), "pl_mean": pl.mean.detach().clone()}

    def ema_step(self, log: bool) -> Stats:
        """Blend G into its moving average."""
        if self.state.ema is not None:
            self.state.ema.update(self.G.net, self.state.step + 1)
        return {}

    def _update(self, player: Player, loss: torch.Tensor, out: Stats | None = None, norm_key: str = "") -> None:
        """Backward and one optimiser step of `player`; with `out`, its gradient norm is logged under `norm_key`."""
        player.opt.zero_grad(set_to_none=True)
        backward(loss, player.scaler)
        if out is not None:
            out[norm_key] = unscaled_grad_norm(player.net, player.opt, player.scaler)
        optimizer_step(player.opt, player.scaler)

    def schedule(self) -> list[Phase]:
        """Learning rates, D phase, lazy D regularisation (if any), G step, lazy path length (if any), EMA."""
        phases = [Phase("LR", self.lr_step), Phase("D", self.d_phase)]
        if self.o.reg.active and self.o.reg.every > 1:
            phases.append(Phase("Dreg", self.d_reg_step, every=self.o.reg.every))
        phases.append(Phase("G", self.g_step))
        if self.o.path_length.weight > 0:
            phases.append(Phase("Greg", self.g_reg_step, every=self.o.path_length.every))
        return phases + [Phase("EMA", self.ema_step)]

    def callbacks(self) -> list[Callback]:
        """The game's own watchers, run on every rank (the balancer, which decides from logged windows)."""
        return list(self.watchers)


__all__ = ["AdversarialGame", "Batch", "PathLengthState"]
