"""Exponential moving average of the generator's weights (Karras et al. 2018, appendix; Yazıcı et al. 2019)."""

from __future__ import annotations

import copy

import torch
from torch import nn

from gankit.models.protocols import Generator, num_classes

CALIBRATION_SEED = 2**31 - 7  # the fixed latents on which BatchNorm statistics of the average are measured
CALIBRATION_BATCHES, CALIBRATION_SIZE = 32, 256


class EMA:
    """A frozen copy of a model whose parameters track θ_ema ← β_t·θ_ema + (1 − β_t)·θ after every update.

    β_t = min(decay, 0.5^(1 / (rampup·t))) after t averaged updates: the average's half-life is at
    most the fraction `rampup` of the steps so far (the ramp-up of Karras et al. 2020, StyleGAN2-ADA,
    whose default is 0.05). A run short against the decay's horizon (1/(1 − decay) steps) thus
    averages only its recent weights and never keeps a share of the random initialisation, which
    a plain β·θ_ema does (0.999^1500 ≈ 22% after 1500 steps). rampup=0 gives the plain rule.
    Before step `start` the copy simply follows the model (θ_ema ← θ). With decay 0 the copy equals
    the model after every update.

    Buffers are copied from the model, except BatchNorm's running statistics: those of the live
    weights do not fit the averaged ones (early in training they make the average far worse than
    the model it averages). `ready()` re-measures them for the averaged weights on fixed latents,
    as SWA does (Izmailov et al. 2018), whenever the average is used: sampled, or saved. They
    depend on the averaged weights alone, so an interrupted and resumed run gets the same ones.
    """

    def __init__(self, model: nn.Module, decay: float, start: int = 0, rampup: float = 0.0) -> None:
        self.decay, self.start, self.rampup = float(decay), int(start), float(rampup)
        self.model = copy.deepcopy(model).eval().requires_grad_(False)
        self._stale = False  # BatchNorm statistics not yet measured for the current average

    def beta(self, step: int) -> float:
        """The weight β_t the average keeps at G update `step` (0: the copy takes the model's weights)."""
        if step < self.start or self.decay == 0.0:
            return 0.0
        if self.rampup > 0:
            return min(self.decay, 0.5 ** (1.0 / (self.rampup * max(step - self.start, 1))))
        return self.decay

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        """Blend the live model's parameters into the average; `step` is the count of G updates so far."""
        ema_p = list(self.model.parameters())
        live_p = [p.detach() for p in model.parameters()]
        beta = self.beta(step)
        if beta == 0.0:
            torch._foreach_copy_(ema_p, live_p)
        else:
            torch._foreach_lerp_(ema_p, live_p, 1.0 - beta)
        for b_ema, b in zip(self.model.buffers(), model.buffers()):
            b_ema.copy_(b)
        self._stale = True

    def ready(self) -> nn.Module:
        """The averaged model, with BatchNorm statistics measured for its own weights, in eval mode."""
        if self._stale:
            recalibrate_batchnorm(self.model)
            self._stale = False
        return self.model

    def loaded(self) -> None:
        """Mark the average as ready after its saved weights and statistics were loaded."""
        self._stale = False


@torch.no_grad()
def recalibrate_batchnorm(G: nn.Module) -> None:
    """Replace a generator's BatchNorm running statistics by their mean over fixed latents (and every class in turn).

    A no-op for generators without BatchNorm or outside the Generator protocol; other buffers are kept.
    """
    norms = [m for m in G.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not norms or not isinstance(G, Generator):
        return
    own = {id(b) for m in norms for b in m.buffers()}
    others = [(b, b.clone()) for b in G.buffers() if id(b) not in own]
    momenta = [m.momentum for m in norms]
    device = next(G.parameters()).device
    gen = torch.Generator(device=device).manual_seed(CALIBRATION_SEED)
    k = num_classes(G)
    labels = torch.arange(CALIBRATION_SIZE, device=device) % k if k else None
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the calibration batches
    G.train()
    with torch.autocast(device.type, enabled=False):  # full-precision statistics, even when called inside a bf16 phase
        for _ in range(CALIBRATION_BATCHES):
            z = torch.randn(CALIBRATION_SIZE, G.z_dim, generator=gen, device=device)
            G(z) if labels is None else G(z, labels)
    G.eval()
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    for b, saved in others:
        b.copy_(saved)
