"""ADA: adaptive discriminator augmentation, a non-leaking pipeline and the controller of its probability p.

Karras, Aittala, Hellsten, Laine, Lehtinen & Aila (2020), "Training Generative Adversarial
Networks with Limited Data" (NeurIPS 2020).

- `ada_augment` (section 2.2-2.3): every transform is applied to each sample independently with
  probability p, so for p < 1 the clean distribution stays identifiable and the augmentations do
  not leak into G's samples; the paper finds the composite safe up to p ≈ 0.8 (figure 3), so set
  `p_max` below 1 if leaks show.
- `AdaptiveAugment` (section 3): the overfitting heuristic r_t = E[sign(D_train)] and the update
  p ← p + sign(r_t − target) · N/(speed · 1000), N the images seen since the last adjustment, so
  that p can move from 0 to 1 in `speed_kimg` thousand images.

Use: augment *every* image D sees (reals and fakes, in the D and the G step) with the same p, and
feed each D step's real logits to `update`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from gankit.augment.diffaugment import (
    _check_images,
    _cutout_keep,
    _draw_device,
    _gather,
    _normal,
    _parse_names,
    _randint,
    _random_shifts,
    _reflect,
)
from gankit.errors import CheckpointError, ConfigError

Tensor = torch.Tensor

ADA_OPS: tuple[str, ...] = ("xflip", "rotate90", "translation", "brightness", "contrast", "saturation", "cutout")

BRIGHTNESS_STD = 0.2  # additive N(0, 0.2²) (Karras et al. 2020, appendix B.1, 'brightness')
CONTRAST_STD_LOG2 = 0.5  # multiplier 2^N(0, 0.5²) = lognormal(0, (0.5·ln 2)²)
SATURATION_STD_LOG2 = 1.0  # multiplier 2^N(0, 1) = lognormal(0, (ln 2)²)


def _chosen(x: Tensor, p: float, generator: torch.Generator | None) -> Tensor:
    """Bool [N]: which samples get this transform, each independently with probability p."""
    u = torch.rand((x.shape[0],), generator=generator, device=_draw_device(x, generator))
    return (u < p).to(x.device)


def _blit(x: Tensor, flip: Tensor, k: Tensor, ty: Tensor, tx: Tensor) -> Tensor:
    """x-flip, then rot90 by k quarter turns (as torch.rot90 on dims (2, 3)), then shift by (ty, tx) with reflection.

    Composed as one gather: each output pixel looks up its source by undoing the shift, the
    rotation and the flip in turn. k must be 0 unless the images are square.
    """
    n, _, h, w = x.shape
    rows = torch.arange(h, device=x.device).view(1, h, 1).expand(n, h, w)
    cols = torch.arange(w, device=x.device).view(1, 1, w).expand(n, h, w)
    a = _reflect(rows - ty.view(n, 1, 1), h)  # undo the shift; reflect padding
    b = _reflect(cols - tx.view(n, 1, 1), w)
    if h == w:  # undo rot90: rot90(f, k)[a, b] = f[src] with src = (b, L−a), (L−a, L−b), (L−b, a) for k = 1, 2, 3
        last, kk = h - 1, k.view(n, 1, 1)
        r = torch.where(kk == 1, b, torch.where(kk == 2, last - a, torch.where(kk == 3, last - b, a)))
        c = torch.where(kk == 1, last - a, torch.where(kk == 2, last - b, torch.where(kk == 3, a, b)))
        a, b = r, c
    b = torch.where(flip.view(n, 1, 1), w - 1 - b, b)  # undo the x-flip
    return _gather(x, a, b)


def ada_augment(
    x: Tensor,
    p: float,
    generator: torch.Generator | None = None,
    ops: str | Sequence[str] = ADA_OPS,
) -> Tensor:
    """Apply ADA's non-leaking pipeline to images x (N×C×H×W in [-1, 1]), each op to each sample with probability p.

    The 'blit' and part of the 'color' groups of Karras et al. (2020), appendix B.1, plus cutout,
    always in this order (a subset may be chosen with `ops`, a comma string or list of ADA_OPS):

    - 'xflip': mirror left-right.
    - 'rotate90': rotate by k·90°, k uniform in {0, 1, 2, 3}; square images only (ignored otherwise).
    - 'translation': integer shift of each axis, uniform in {−round(side/8), …, round(side/8)},
      with *reflect* padding (as ADA), so no constant border appears.
    - 'brightness': x + b, b ~ N(0, 0.2²).
    - 'contrast': (x − x̄)·c + x̄, x̄ the per-sample mean over C, H, W, c ~ lognormal(0, (0.5·ln 2)²).
    - 'saturation': (x − x̄_c)·s + x̄_c, x̄_c the per-pixel channel mean, s ~ lognormal(0, (ln 2)²);
      3-channel images only (ignored otherwise).
    - 'cutout': zero a round(H/2)×round(W/2) box placed uniformly inside the image.

    The geometric ops are one gather and the others are elementwise, so gradients reach x.
    Samples not chosen for an op keep their exact values; p = 0 returns x itself.
    Omitted from ADA's full 'bgc': arbitrary rotation, isotropic/anisotropic scaling, fractional
    translation, luma flip and hue rotation.
    """
    names = set(_parse_names(ops, ADA_OPS, "ADA augmentation"))
    if not 0.0 <= p <= 1.0:
        raise ConfigError(f"ADA probability p must lie in [0, 1]; got {p}")
    _check_images(x, "ada_augment")
    if p == 0.0 or not names:
        return x
    x = _ada_blit(x, p, names, generator)
    x = _ada_color(x, p, names, generator)
    if "cutout" in names:  # DeVries & Taylor 2017; ADA's 'cutout' group
        on = _chosen(x, p, generator).view(len(x), 1, 1, 1)
        keep = _cutout_keep(x, generator) | ~on
        x = torch.where(keep, x, torch.zeros((), dtype=x.dtype, device=x.device))
    return x


def _ada_blit(x: Tensor, p: float, names: set[str], generator: torch.Generator | None) -> Tensor:
    """Flip, quarter turns and integer translation, each chosen per sample with probability p, as one gather."""
    n, _, h, w = x.shape
    zero_long = torch.zeros(n, dtype=torch.long, device=x.device)
    flip, k, ty, tx = zero_long.bool(), zero_long, zero_long, zero_long
    if "xflip" in names:
        flip = _chosen(x, p, generator)
    if "rotate90" in names and h == w:
        k = torch.where(_chosen(x, p, generator), _randint(x, 0, 4, (n,), generator), zero_long)
    if "translation" in names:
        on = _chosen(x, p, generator)
        sy, sx = _random_shifts(x, generator)
        ty, tx = torch.where(on, sy, zero_long), torch.where(on, sx, zero_long)
    if names & {"xflip", "rotate90", "translation"}:
        x = _blit(x, flip, k, ty, tx)
    return x


def _ada_color(x: Tensor, p: float, names: set[str], generator: torch.Generator | None) -> Tensor:
    """Brightness, contrast and saturation in ADA's order, each chosen per sample with probability p."""
    n, c = x.shape[:2]
    per_sample = (n, 1, 1, 1)
    if "brightness" in names:
        on = _chosen(x, p, generator).view(per_sample)
        x = torch.where(on, x + BRIGHTNESS_STD * _normal(x, per_sample, generator), x)
    if "contrast" in names:
        on = _chosen(x, p, generator).view(per_sample)
        scale = torch.exp2(CONTRAST_STD_LOG2 * _normal(x, per_sample, generator))
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = torch.where(on, (x - mean) * scale + mean, x)
    if "saturation" in names and c == 3:
        on = _chosen(x, p, generator).view(per_sample)
        scale = torch.exp2(SATURATION_STD_LOG2 * _normal(x, per_sample, generator))
        mean = x.mean(dim=1, keepdim=True)
        x = torch.where(on, (x - mean) * scale + mean, x)
    return x


class AdaptiveAugment:
    """ADA's controller of the augmentation probability p (Karras et al. 2020, section 3)."""

    def __init__(
        self,
        target: float = 0.6,
        speed_kimg: float = 500.0,
        interval: int = 4,
        p_init: float = 0.0,
        p_max: float = 1.0,
    ) -> None:
        if not 0.0 <= p_max <= 1.0:
            raise ConfigError(f"p_max must lie in [0, 1]; got {p_max}")
        if not 0.0 <= p_init <= p_max:
            raise ConfigError(f"p_init must lie in [0, p_max={p_max}]; got {p_init}")
        if not -1.0 <= target <= 1.0:
            raise ConfigError(f"target is a value of r_t = E[sign(D(x_real))], so it lies in [-1, 1]; got {target}")
        if not speed_kimg > 0:
            raise ConfigError(f"speed_kimg (thousands of images for p to go 0 → 1) must be > 0; got {speed_kimg}")
        if int(interval) != interval or interval < 1:
            raise ConfigError(f"interval (D steps between adjustments of p) must be an integer >= 1; got {interval}")
        self.target, self.speed_kimg, self.interval = float(target), float(speed_kimg), int(interval)
        self.p_max = float(p_max)
        self.p = float(p_init)
        self.rt = math.nan
        self._sign_sum: Tensor | float = 0.0  # kept on the logits' device: no host sync until an adjustment
        self._count = 0  # logits accumulated
        self._images = 0  # images seen since the last adjustment
        self._calls = 0

    def update(self, real_logits: Tensor, batch_size: int) -> None:
        """Accumulate sign(D(real)); every `interval` calls set r_t and step p (Karras et al. 2020, section 3).

        r_t = E[sign(D_train)] over the logits of the last `interval` calls, then
        p ← clip(p + sign(r_t − target) · N / (speed_kimg · 1000), 0, p_max), N = the sum of the
        batch sizes of those calls (= batch_size · interval for a constant batch). A NaN r_t (NaN
        logits) leaves p unchanged.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1; got {batch_size}")
        logits = real_logits.detach().float()
        # torch.sign(NaN) is 0 on CPU; keep NaN so that a diverged D cannot steer p
        self._sign_sum = self._sign_sum + torch.where(logits.isnan(), logits, torch.sign(logits)).sum()
        self._count += real_logits.numel()
        self._images += int(batch_size)
        self._calls += 1
        if self._calls < self.interval:
            return
        sign_sum, count, images = float(self._sign_sum), self._count, self._images
        dist = torch.distributed
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            # under DDP every rank sees its own slice: r_t and the image count are over all of them,
            # so every rank moves p identically
            totals = torch.tensor([sign_sum, count, images], dtype=torch.float64, device=real_logits.device)
            dist.all_reduce(totals)
            sign_sum, count, images = totals.tolist()
        self.rt = sign_sum / max(count, 1)
        if not math.isnan(self.rt):
            direction = (self.rt > self.target) - (self.rt < self.target)
            step = direction * images / (self.speed_kimg * 1000.0)
            self.p = min(max(self.p + step, 0.0), self.p_max)
        self._sign_sum, self._count, self._images, self._calls = 0.0, 0, 0, 0

    def state_dict(self) -> dict[str, Any]:
        """p, the last r_t and the pending accumulator, as plain floats and ints, for an exact resume."""
        return {
            "p": float(self.p),
            "rt": float(self.rt),
            "sign_sum": float(self._sign_sum),
            "count": int(self._count),
            "images": int(self._images),
            "calls": int(self._calls),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` saved; the hyperparameters come from the constructor."""
        missing = [k for k in ("p", "rt", "sign_sum", "count", "images", "calls") if k not in state]
        if missing:
            raise CheckpointError(f"ADA state lacks {', '.join(missing)}; was it written by AdaptiveAugment.state_dict?")
        self.p = float(state["p"])
        self.rt = float(state["rt"])
        self._sign_sum = float(state["sign_sum"])
        self._count = int(state["count"])
        self._images = int(state["images"])
        self._calls = int(state["calls"])

    def __repr__(self) -> str:
        return (
            f"AdaptiveAugment(p={self.p:.4f}, rt={self.rt:.3f}, target={self.target}, "
            f"speed_kimg={self.speed_kimg}, interval={self.interval}, p_max={self.p_max})"
        )
