"""The GAN step as data: named phases (D step, lazy D regularisation, G step, EMA update).

Algorithm 1 of Goodfellow et al. (2014): k discriminator updates, then one generator update.
A phase returns a dict of detached scalar tensors; the loop averages and logs them. What D
"sees" (`d_view`) is the optional augmentation (DiffAugment / ADA) followed by PacGAN packing.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Callable

import torch

from gankit.losses.adversarial import Objective
from gankit.losses.penalties import gradient_penalty, path_length_penalty, r1_penalty, r2_penalty, roth_penalty
from gankit.utils.packing import pack
from gankit.training.state import TrainState

Stats = dict[str, torch.Tensor]


@dataclass
class Phase:
    """A named step, run on iterations whose index is a multiple of `every` (lazy phases use every > 1)."""

    name: str
    run: Callable[[bool], Stats]
    every: int = 1


@dataclass
class Regularizers:
    """Weights of D's gradient penalties and their interval (every > 1: lazy, Karras et al. 2020 §B)."""

    r1: float = 0.0
    r2: float = 0.0
    roth: float = 0.0
    gp: float = 0.0
    gp_center: float = 1.0
    gp_one_sided: bool = False
    every: int = 1

    @property
    def active(self) -> bool:
        """Whether any penalty is on."""
        return self.r1 > 0 or self.r2 > 0 or self.roth > 0 or self.gp > 0


@dataclass
class GameOptions:
    """Everything about how one iteration is played, apart from the networks and optimisers."""

    z_dim: int
    batch_size: int
    d_steps: int = 1
    precision: str = "fp32"
    channels_last: bool = False
    reuse_fake: bool = True
    pack: int = 1
    clip: float = 0.0
    reg: Regularizers = field(default_factory=Regularizers)
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None
    adapt_p: bool = False  # ADA's r_t rule moves the augmentation probability (state.components["ada"])
    unroll_steps: int = 0
    unroll_lr: float = 0.05
    lr_schedule: Callable[[int], float] | None = None  # multiplier of both learning rates at a given step
    conditional: bool = False  # G(z, c) and D(x, c) take the class; fakes are drawn for the real batch's labels
    aux_weight: float = 1.0  # AC-GAN's class loss weight, used when D has an auxiliary classifier (D.has_aux)
    aux_fake_in_d: bool = True  # Odena et al.'s D also fits the class of fakes; False trains it on real data only
    style_mixing: float = 0.0  # probability that a fake batch mixes two latents (StyleGAN generators)
    pl_weight: float = 0.0  # path-length regulariser of StyleGAN2 (lazy, every pl_every iterations)
    pl_every: int = 4
    pl_decay: float = 0.01
    pl_batch_shrink: int = 2


def lr_multiplier(kind: str, step: int, total: int, decay_start: float = 0.5, end: float = 0.01) -> float:
    """Learning-rate multiplier: 'constant' (1), or a 'linear'/'cosine' decay from 1 to `end`.

    The decay runs from `decay_start`·total steps to `total`; before that the multiplier is 1.
    """
    if kind == "constant" or total <= 0:
        return 1.0
    t0 = decay_start * total
    if step <= t0:
        return 1.0
    u = min(1.0, (step - t0) / max(1.0, total - t0))
    if kind == "linear":
        return 1.0 + (end - 1.0) * u
    return end + (1.0 - end) * 0.5 * (1 + math.cos(math.pi * u))


def grad_norm(params) -> torch.Tensor:
    """Total L2 norm of the gradients of `params` (0 when none has a gradient)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def game_stats(real: torch.Tensor, fake: torch.Tensor, objective: Objective) -> Stats:
    """What the discriminator believes: mean D(x), mean D(G(z)), and its accuracy on each side.

    D(x) is sigmoid(logit) for the original game, the raw output otherwise. Accuracy follows the
    objective's decision rule (see `Objective.decision`): 0.5 means D cannot tell real from fake.
    """
    real, fake = real.detach().float(), fake.detach().float()
    if objective.decision == "relative":
        acc_real, acc_fake = (real > fake.mean()).float().mean(), (fake < real.mean()).float().mean()
    else:
        t = 0.5 if objective.decision == "half" else 0.0
        acc_real, acc_fake = (real > t).float().mean(), (fake < t).float().mean()
    readout = torch.sigmoid if objective.probability else (lambda t: t)
    return {
        "d_real": readout(real).mean(),
        "d_fake": readout(fake).mean(),
        "acc_real": acc_real,
        "acc_fake": acc_fake,
        "acc": (acc_real + acc_fake) / 2,
    }


class PathLengthState:
    """The running mean a of path lengths (StyleGAN2 eq. 4), checkpointed with the run."""

    def __init__(self) -> None:
        self.mean = torch.zeros(())

    def state_dict(self) -> dict:
        """The running mean."""
        return {"mean": self.mean.detach().cpu()}

    def load_state_dict(self, state: dict) -> None:
        """Restore the running mean."""
        self.mean = state["mean"].clone()


class GamePhases:
    """The phases of one iteration of the game, bound to a TrainState, an objective and options.

    `d_steps` (D updates per iteration) and `d_every` (run the D phase every n iterations) may be
    changed between iterations, e.g. by the automatic balancer.
    """

    def __init__(self, state: TrainState, objective: Objective, options: GameOptions) -> None:
        self.s, self.obj, self.o = state, objective, options
        self.device = next(state.G.parameters()).device
        self.memory_format = torch.channels_last if options.channels_last else torch.contiguous_format
        self.d_steps, self.d_every = options.d_steps, 1
        self.lr_scale_d = 1.0  # set by the balancer in 'lr' mode
        self.base_lr_g = [g["lr"] for g in state.opt_g.param_groups]
        self.base_lr_d = [g["lr"] for g in state.opt_d.param_groups]
        self.ada = state.components.get("ada")
        self._fake: torch.Tensor | None = None  # G(z) with its graph, shared by the last D step and the G step
        self._real: torch.Tensor | None = None
        self._labels: torch.Tensor | None = None  # the real batch's labels; also the classes asked of G
        self._d_frozen = False
        self._double_backward = False
        self.aux = bool(options.conditional and getattr(state.D, "has_aux", False) and options.aux_weight > 0)
        # Under DDP the trainable player runs through its wrapper (gradients averaged over ranks);
        # the frozen D of the G step runs bare, so DDP never waits for gradients D does not get.
        self.g_train = state.G if state.G_train is None else state.G_train
        self.d_train = state.D if state.D_train is None else state.D_train
        self.scaler_g, self.scaler_d = state.components.get("scaler_g"), state.components.get("scaler_d")

    # -- helpers -------------------------------------------------------------------------------
    def autocast(self):
        """bf16 or fp16 autocast when asked for, else a no-op context."""
        if self.o.precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.o.precision == "bf16" else torch.float16
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    # fp16 keeps one loss scaler per player (state.components, so they are checkpointed);
    # bf16 has fp32's exponent range and needs none.
    @staticmethod
    def _backward(loss: torch.Tensor, scaler) -> None:
        (scaler.scale(loss) if scaler is not None else loss).backward()

    @staticmethod
    def _step(opt: torch.optim.Optimizer, scaler) -> None:
        if scaler is None:
            opt.step()
        else:
            scaler.step(opt)  # skipped when the scaled gradients overflowed
            scaler.update()

    def _every_weight(self, loss: torch.Tensor, net: torch.nn.Module) -> torch.Tensor:
        """Under DDP, loss + 0·Σw: a lazy penalty leaves some weights without a gradient (D's last bias in
        R1, the last ToRGB bias in path length), and DDP waits for every one (StyleGAN2's code does the same)."""
        if self.s.world_size == 1:
            return loss
        return loss + sum(p.flatten()[0] for p in net.parameters()) * 0

    @staticmethod
    def _grad_norm(net, opt: torch.optim.Optimizer, scaler) -> torch.Tensor:
        if scaler is not None:
            scaler.unscale_(opt)
        return grad_norm(net.parameters())

    def sample_z(self, n: int) -> torch.Tensor:
        """Standard normal noise from the run's own generator."""
        return torch.randn(n, self.o.z_dim, generator=self.s.z_gen, device=self.device)

    def _real_batch(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """A real batch and, for a conditional game, its labels (else None)."""
        x, y = self.s.batches.next()
        x = x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x
        return x, (y if self.o.conditional else None)

    def d_view(self, x: torch.Tensor, c: torch.Tensor | None = None, params: dict | None = None) -> torch.Tensor:
        """D's logits for a batch, after augmentation and packing (`params` overrides D's weights)."""
        return self.d_judge(x, c, params)[0]

    def d_judge(self, x: torch.Tensor, c: torch.Tensor | None = None, params: dict | None = None,
                aux: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits, AC-GAN class logits or None) of D for a batch, after augmentation and packing.

        D runs through its DDP wrapper unless its weights are frozen (the G step) or overridden (`params`).
        """
        if self.o.augment is not None:
            x = self.o.augment(x)
        x = pack(x, self.o.pack)
        args = (x,) if c is None else (x, c)
        if params is not None:
            return torch.func.functional_call(self.s.D, params, args), None
        net = self.s.D if self._d_frozen else self.d_train
        if self._double_backward:
            net = _eager(net)
        if aux:
            return net(*args, aux=True)
        return net(*args), None

    def aux_loss(self, class_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """AC-GAN's class term: cross-entropy of D's auxiliary classifier (Odena et al. 2017, eq. 2), weighted."""
        return self.o.aux_weight * torch.nn.functional.cross_entropy(class_logits.float(), labels)

    def penalty(self, real: torch.Tensor, fake: torch.Tensor, scale: float = 1.0,
                labels: torch.Tensor | None = None) -> tuple[torch.Tensor, Stats]:
        """The weighted sum of the active gradient penalties (fp32), and each raw value for the log.

        In a conditional game real and fake share `labels`, so interpolates keep one class.
        """
        r = self.o.reg
        total, stats = torch.zeros((), device=self.device), {}

        def view(x: torch.Tensor) -> torch.Tensor:
            return self.d_view(x, labels)

        self._double_backward = True
        terms = [
            ("r1", r.r1 / 2, lambda: r1_penalty(view, real)),
            ("r2", r.r2 / 2, lambda: r2_penalty(view, fake)),
            ("roth", r.roth / 2, lambda: roth_penalty(view, real, fake)),
            ("gp", r.gp, lambda: gradient_penalty(view, real, fake, r.gp_center, r.gp_one_sided)),
        ]
        try:
            for name, weight, fn in terms:
                if weight > 0:
                    value = fn()
                    total = total + weight * scale * value
                    stats[f"pen_{name}"] = value.detach()
        finally:
            self._double_backward = False
        return total, stats

    # -- phases --------------------------------------------------------------------------------
    def lr_step(self, log: bool) -> Stats:
        """Set both learning rates for this iteration: base × schedule(step), D's also × the balancer's scale."""
        m = self.o.lr_schedule(self.s.step) if self.o.lr_schedule is not None else 1.0
        for g, lr in zip(self.s.opt_g.param_groups, self.base_lr_g):
            g["lr"] = lr * m
        for g, lr in zip(self.s.opt_d.param_groups, self.base_lr_d):
            g["lr"] = lr * m * self.lr_scale_d
        if log:
            return {"lr_g": torch.tensor(self.s.opt_g.param_groups[0]["lr"]),
                    "lr_d": torch.tensor(self.s.opt_d.param_groups[0]["lr"])}
        return {}

    def d_step(self, log: bool, keep_fake: bool = False) -> Stats:
        """One discriminator update on a real batch and a fresh fake batch (with penalties unless lazy)."""
        s = self.s
        real, y = self._real_batch()
        with self.autocast():
            with torch.set_grad_enabled(keep_fake):
                fake = self._generate(self.g_train if keep_fake else s.G, self.o.batch_size, y)
            real_logits, real_cls = self.d_judge(real, y, aux=self.aux)
            fake_logits, fake_cls = self.d_judge(fake.detach(), y, aux=self.aux)
            loss = self.obj.d(real_logits.float(), fake_logits.float())
        out = {"loss_d": loss.detach(), **game_stats(real_logits, fake_logits, self.obj)}
        if self.aux:  # D maximises the log-likelihood of the right class on both sides (Odena et al. 2017, eq. 2)
            loss = loss + self.aux_loss(real_cls, y)
            if self.o.aux_fake_in_d:
                loss = loss + self.aux_loss(fake_cls, y)
            out["cls_acc_real"] = (real_cls.argmax(1) == y).float().mean()
            out["cls_acc_fake"] = (fake_cls.argmax(1) == y).float().mean()
        if self.o.reg.active and self.o.reg.every == 1:
            pen, pstats = self.penalty(real, fake.detach(), labels=y)
            loss = loss + pen
            out.update(pstats)
        s.opt_d.zero_grad(set_to_none=True)
        self._backward(loss, self.scaler_d)
        if log:
            out["grad_norm_d"] = self._grad_norm(s.D, s.opt_d, self.scaler_d)
        self._step(s.opt_d, self.scaler_d)
        if self.o.clip > 0:  # WGAN's weight clipping (Arjovsky et al. 2017, Algorithm 1)
            with torch.no_grad():
                torch._foreach_clamp_min_(list(s.D.parameters()), -self.o.clip)
                torch._foreach_clamp_max_(list(s.D.parameters()), self.o.clip)
        if self.ada is not None and self.o.adapt_p:
            self.ada.update(real_logits.detach(), self.o.batch_size)
        self._fake = fake if keep_fake else None
        self._real, self._labels = real, y
        return out

    def d_phase(self, log: bool) -> Stats:
        """`d_steps` D updates (every `d_every` iterations); the last may keep its fake batch for the G step."""
        if self.s.step % self.d_every:
            return {}
        out: Stats = {}
        for i in range(self.d_steps):
            last = i == self.d_steps - 1
            out = _mean_into(out, self.d_step(log and last, keep_fake=self.o.reuse_fake and last), i)
        return out

    def d_reg_step(self, log: bool) -> Stats:
        """Lazy regularisation: the penalties alone, scaled by their interval, as their own D update."""
        s = self.s
        real, y = (self._real, self._labels) if self._real is not None else self._real_batch()
        with torch.no_grad():
            fake = self._generate(s.G, self.o.batch_size, y).float()
        pen, stats = self.penalty(real.float(), fake, scale=self.o.reg.every, labels=y)
        pen = self._every_weight(pen, s.D)
        s.opt_d.zero_grad(set_to_none=True)
        self._backward(pen, self.scaler_d)
        self._step(s.opt_d, self.scaler_d)
        return stats

    def _g_args(self, n: int, labels: torch.Tensor | None) -> tuple[torch.Tensor, ...]:
        """G's inputs: fresh noise, plus the classes to draw in a conditional game."""
        z = self.sample_z(n)
        return (z,) if labels is None else (z, labels)

    def _generate(self, net, n: int, labels: torch.Tensor | None, **kwargs) -> torch.Tensor:
        """A fake batch from `net` (G or its DDP wrapper); with style mixing on, some batches mix two latents.

        Style-mixing regularisation (Karras et al. 2019, section 3.1): with probability p the layers from
        a random cutoff on take their styles from a second z, so that neighbouring styles cannot rely on
        each other. The draw uses the run's noise generator, so it is resumed exactly.
        """
        args = self._g_args(n, labels)
        num_ws = getattr(self.s.G, "num_ws", 0)
        if self.o.style_mixing > 0 and num_ws > 1:
            u = torch.rand((), generator=self.s.z_gen, device=self.device)
            cutoff = torch.randint(1, num_ws, (), generator=self.s.z_gen, device=self.device)
            if float(u) < self.o.style_mixing:
                kwargs.update(mix_z=self.sample_z(n), mix_cutoff=int(cutoff))
        return net(*args, **kwargs)

    def _unrolled_params(self, real: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """D's weights after `unroll_steps` differentiable SGD steps on its loss (Metz et al. 2017, eq. 5-6).

        The steps keep their graph, so G's gradient accounts for how D would answer its move.
        Buffers (BatchNorm statistics) are cloned, so the look-ahead leaves D untouched.
        """
        D = self.s.D
        params = {n: p.detach().requires_grad_(True) for n, p in D.named_parameters()}
        buffers = {n: b.clone() for n, b in D.named_buffers()}
        for _ in range(self.o.unroll_steps):
            fake = self._generate(_eager(self.g_train), self.o.batch_size, y)
            both = {**params, **buffers}
            loss = self.obj.d(self.d_view(real, y, both).float(), self.d_view(fake, y, both).float())
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
            params = {n: p - self.o.unroll_lr * g for (n, p), g in zip(params.items(), grads)}
        return {**params, **buffers}

    def g_step(self, log: bool) -> Stats:
        """One generator update; D's weights are frozen so no gradient is wasted on them."""
        s = self.s
        s.D.requires_grad_(False)
        self._d_frozen = True
        try:
            with self.autocast():
                if self._real is not None:
                    real, y = self._real, self._labels
                else:
                    real, y = self._real_batch()
                fake = self._fake if self._fake is not None else self._generate(self.g_train, self.o.batch_size, y)
                params = self._unrolled_params(real, y) if self.o.unroll_steps > 0 else None
                fake_logits, fake_cls = self.d_judge(fake, y, params, aux=self.aux and params is None)
                real_logits = self.d_view(real, y, params).float() if self.obj.needs_real_for_g else None
                loss = self.obj.g(fake_logits.float(), real_logits)
                if fake_cls is not None:  # G also maximises the log-likelihood of the asked class (eq. 3)
                    loss = loss + self.aux_loss(fake_cls, y)
            s.opt_g.zero_grad(set_to_none=True)
            self._backward(loss, self.scaler_g)
        finally:
            s.D.requires_grad_(True)
            self._d_frozen = False
            self._fake = None
        out = {"loss_g": loss.detach()}
        if log:
            out["grad_norm_g"] = self._grad_norm(s.G, s.opt_g, self.scaler_g)
            out["d_per_g"] = torch.tensor(self.d_steps / self.d_every)
            if self.ada is not None:
                out["aug_p"] = torch.tensor(float(self.ada.p))
        self._step(s.opt_g, self.scaler_g)
        return out

    def g_reg_step(self, log: bool) -> Stats:
        """Lazy path-length regularisation of G (Karras et al. 2020, section 3.2), scaled by its interval.

        A batch of batch_size / pl_batch_shrink fakes; the penalty pulls ‖J_wᵀy‖ towards its running
        mean (kept in state.components['pl'], so it is checkpointed).
        """
        s, pl = self.s, self.s.components["pl"]
        n = max(1, self.o.batch_size // self.o.pl_batch_shrink)
        y = self._labels[:n] if self._labels is not None else (self._real_batch()[1] if self.o.conditional else None)
        images, ws = self._generate(_eager(self.g_train), n, y, return_ws=True)
        pen, pl.mean, _ = path_length_penalty(images.float(), ws, pl.mean, self.o.pl_decay, generator=s.z_gen)
        loss = self._every_weight(pen * (self.o.pl_weight * self.o.pl_every), s.G)
        s.opt_g.zero_grad(set_to_none=True)
        self._backward(loss, self.scaler_g)
        self._step(s.opt_g, self.scaler_g)
        return {"pen_pl": pen.detach(), "pl_mean": pl.mean.detach().clone()}

    def ema_step(self, log: bool) -> Stats:
        """Blend G into its moving average."""
        if self.s.ema is not None:
            self.s.ema.update(self.s.G, self.s.step + 1)
        return {}

    def schedule(self) -> list[Phase]:
        """Learning rates, D phase, lazy D regularisation (if any), G step, EMA: the iteration of Algorithm 1."""
        phases = [Phase("LR", self.lr_step), Phase("D", self.d_phase)]
        if self.o.reg.active and self.o.reg.every > 1:
            phases.append(Phase("Dreg", self.d_reg_step, every=self.o.reg.every))
        phases.append(Phase("G", self.g_step))
        if self.o.pl_weight > 0:
            phases.append(Phase("Greg", self.g_reg_step, every=self.o.pl_every))
        return phases + [Phase("EMA", self.ema_step)]


def _eager(net: torch.nn.Module) -> torch.nn.Module:
    """The uncompiled module behind a torch.compile wrapper: compiled autograd has no double backward,
    so gradient penalties and path length run eagerly (the weights are shared)."""
    return getattr(net, "_orig_mod", net)


def _mean_into(acc: Stats, new: Stats, i: int) -> Stats:
    """Running mean of repeated D steps' stats (grad norms come from the last step only)."""
    if not acc:
        return dict(new)
    out = {k: acc[k] + (v - acc[k]) / (i + 1) for k, v in new.items() if k in acc}
    out.update({k: v for k, v in new.items() if k not in acc})
    return out
