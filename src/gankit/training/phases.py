"""The GAN step as data: named phases (D step, G step, EMA update), each returning its numbers.

Algorithm 1 of Goodfellow et al. (2014): k discriminator updates, then one generator update.
A phase returns a dict of detached scalar tensors; the loop averages and logs them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable

import torch

from gankit.losses.adversarial import Objective
from gankit.training.state import TrainState

Stats = dict[str, torch.Tensor]


@dataclass
class Phase:
    """A named step, run on iterations whose index is a multiple of `every` (lazy phases use every > 1)."""

    name: str
    run: Callable[[bool], Stats]
    every: int = 1


def grad_norm(params) -> torch.Tensor:
    """Total L2 norm of the gradients of `params` (0 when none has a gradient)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def game_stats(real: torch.Tensor, fake: torch.Tensor) -> Stats:
    """What the discriminator believes: mean D(x), mean D(G(z)), and its accuracy on each side."""
    real, fake = real.detach().float(), fake.detach().float()
    acc_real, acc_fake = (real > 0).float().mean(), (fake < 0).float().mean()
    return {
        "d_real": torch.sigmoid(real).mean(),
        "d_fake": torch.sigmoid(fake).mean(),
        "acc_real": acc_real,
        "acc_fake": acc_fake,
        "acc": (acc_real + acc_fake) / 2,
    }


class GamePhases:
    """The phases of one iteration of the game, bound to a TrainState and an objective."""

    def __init__(
        self,
        state: TrainState,
        objective: Objective,
        z_dim: int,
        batch_size: int,
        precision: str = "fp32",
        channels_last: bool = False,
        reuse_fake: bool = True,
    ) -> None:
        self.s, self.obj, self.z_dim, self.batch_size = state, objective, z_dim, batch_size
        self.device = next(state.G.parameters()).device
        self.bf16 = precision == "bf16"
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.reuse_fake = reuse_fake
        self._fake: torch.Tensor | None = None  # G(z) with its graph, shared by the last D step and the G step
        self._real: torch.Tensor | None = None

    def autocast(self):
        """bf16 autocast when asked for, else a no-op context."""
        if not self.bf16:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def sample_z(self, n: int) -> torch.Tensor:
        """Standard normal noise from the run's own generator."""
        return torch.randn(n, self.z_dim, generator=self.s.z_gen, device=self.device)

    def _real_batch(self) -> torch.Tensor:
        x, _ = self.s.batches.next()
        return x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x

    def d_step(self, log: bool, keep_fake: bool = False) -> Stats:
        """One discriminator update on a real batch and a fresh fake batch."""
        s = self.s
        real = self._real_batch()
        with self.autocast():
            with torch.set_grad_enabled(keep_fake):
                fake = s.G(self.sample_z(self.batch_size))
            real_logits, fake_logits = s.D(real), s.D(fake.detach())
            loss = self.obj.d(real_logits.float(), fake_logits.float())
        s.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        out = {"loss_d": loss.detach(), **game_stats(real_logits, fake_logits)}
        if log:
            out["grad_norm_d"] = grad_norm(s.D.parameters())
        s.opt_d.step()
        self._fake = fake if keep_fake else None
        self._real = real
        return out

    def g_step(self, log: bool) -> Stats:
        """One generator update; D's weights are frozen so no gradient is wasted on them."""
        s = self.s
        s.D.requires_grad_(False)
        try:
            with self.autocast():
                fake = self._fake if self._fake is not None else s.G(self.sample_z(self.batch_size))
                fake_logits = s.D(fake)
                real_logits = s.D(self._real).float() if self.obj.needs_real_for_g else None
                loss = self.obj.g(fake_logits.float(), real_logits)
            s.opt_g.zero_grad(set_to_none=True)
            loss.backward()
        finally:
            s.D.requires_grad_(True)
            self._fake = None
        out = {"loss_g": loss.detach()}
        if log:
            out["grad_norm_g"] = grad_norm(s.G.parameters())
        s.opt_g.step()
        return out

    def ema_step(self, log: bool) -> Stats:
        """Blend G into its moving average."""
        if self.s.ema is not None:
            self.s.ema.update(self.s.G, self.s.step + 1)
        return {}

    def schedule(self, d_steps: int) -> list[Phase]:
        """k D steps, one G step, one EMA update: the iteration of Algorithm 1."""

        def d_phase(log: bool) -> Stats:
            out: Stats = {}
            for i in range(d_steps):
                keep = self.reuse_fake and i == d_steps - 1
                out = _mean_into(out, self.d_step(log and i == d_steps - 1, keep_fake=keep), i)
            return out

        return [Phase("D", d_phase), Phase("G", self.g_step), Phase("EMA", self.ema_step)]


def _mean_into(acc: Stats, new: Stats, i: int) -> Stats:
    """Running mean of repeated D steps' stats (grad norms come from the last step only)."""
    if not acc:
        return dict(new)
    out = {k: acc[k] + (v - acc[k]) / (i + 1) for k, v in new.items() if k in acc}
    out.update({k: v for k, v in new.items() if k not in acc})
    return out
