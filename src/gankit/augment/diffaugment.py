"""DiffAugment: differentiable augmentations applied to both real and fake images before D.

Zhao, Liu, Lin, Zhu & Han (2020), "Differentiable Augmentation for Data-Efficient GAN Training"
(NeurIPS 2020). Section 3.2 / eq. 2-3: the same random transform family T is applied to real and
generated images in *both* the D and the G step, and T must be differentiable so that gradients
reach G through it. Images are N×C×H×W in [-1, 1]; the ranges below are the ones of the paper's
reference implementation, which works directly in that space.

Every draw is per sample, comes from `generator` when one is given (else torch's global RNG), and
is made on the generator's device and then moved to x's device. Draws are always float32 and then
cast to x's dtype, so one seed gives the same transform in float32 and float64.

The small pixel-index helpers here (`_translate`, `_cutout_keep`, ...) are shared with `ada.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from gankit.errors import ConfigError

Tensor = torch.Tensor

DIFFAUGMENT_POLICIES: tuple[str, ...] = ("color", "translation", "cutout")

TRANSLATION_RATIO = 0.125  # largest shift, as a fraction of the side (Zhao et al. 2020, section 4)
CUTOUT_RATIO = 0.5  # side of the cut square, as a fraction of the image side (DeVries & Taylor 2017)


# ---------------------------------------------------------------- random draws on x's device


def _draw_device(x: Tensor, generator: torch.Generator | None) -> torch.device:
    return generator.device if generator is not None else x.device


def _uniform(x: Tensor, shape: Sequence[int], generator: torch.Generator | None) -> Tensor:
    """U[0, 1) of `shape`, drawn in float32 then moved to x's device and dtype."""
    u = torch.rand(tuple(shape), generator=generator, device=_draw_device(x, generator))
    return u.to(device=x.device, dtype=x.dtype)


def _normal(x: Tensor, shape: Sequence[int], generator: torch.Generator | None) -> Tensor:
    """N(0, 1) of `shape`, drawn in float32 then moved to x's device and dtype."""
    z = torch.randn(tuple(shape), generator=generator, device=_draw_device(x, generator))
    return z.to(device=x.device, dtype=x.dtype)


def _randint(x: Tensor, low: int, high: int, shape: Sequence[int], generator: torch.Generator | None) -> Tensor:
    """Integers uniform in [low, high), as int64 on x's device."""
    r = torch.randint(low, high, tuple(shape), generator=generator, device=_draw_device(x, generator))
    return r.to(device=x.device)


# ---------------------------------------------------------------- pixel-index helpers


def _check_images(x: Tensor, who: str) -> None:
    if x.dim() != 4:
        raise ValueError(f"{who} takes images N×C×H×W; got a tensor of shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"{who} takes floating-point images in [-1, 1]; got dtype {x.dtype}")


def _max_shift(size: int, ratio: float = TRANSLATION_RATIO) -> int:
    """Largest integer shift for a side of `size` pixels: round(ratio · size), never a full side."""
    return min(int(size * ratio + 0.5), max(size - 1, 0))


def _reflect(i: Tensor, n: int) -> Tensor:
    """Mirror integer coordinates into [0, n) without repeating the edge pixel (numpy's 'reflect')."""
    if n == 1:
        return torch.zeros_like(i)
    period = 2 * (n - 1)
    i = i.abs() % period
    return torch.where(i >= n, period - i, i)


def _gather(x: Tensor, src_y: Tensor, src_x: Tensor) -> Tensor:
    """out[n, c, i, j] = x[n, c, src_y[n, i, j], src_x[n, i, j]]; differentiable in x (a gather)."""
    n, c, h, w = x.shape
    index = (src_y * w + src_x).expand(n, h, w).reshape(n, 1, h * w).expand(n, c, h * w)
    return x.reshape(n, c, h * w).gather(2, index).reshape(n, c, h, w)


def _translate(x: Tensor, ty: Tensor, tx: Tensor, padding: str = "zero") -> Tensor:
    """Move each sample's content by (ty[n], tx[n]) integer pixels (down, right); padding 'zero' or 'reflect'."""
    n, _, h, w = x.shape
    rows = torch.arange(h, device=x.device).view(1, h, 1) - ty.view(n, 1, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - tx.view(n, 1, 1)
    if padding == "reflect":
        return _gather(x, _reflect(rows, h), _reflect(cols, w))
    if padding != "zero":
        raise ConfigError(f"unknown padding {padding!r}; valid: 'zero', 'reflect'")
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    out = _gather(x, rows.clamp(0, h - 1), cols.clamp(0, w - 1))
    return torch.where(inside.unsqueeze(1), out, torch.zeros((), dtype=x.dtype, device=x.device))


def _random_shifts(x: Tensor, generator: torch.Generator | None) -> tuple[Tensor, Tensor]:
    """Per-sample integer shifts (ty, tx), each uniform in [-round(H/8), round(H/8)] (resp. W)."""
    n, _, h, w = x.shape
    my, mx = _max_shift(h), _max_shift(w)
    ty = _randint(x, -my, my + 1, (n,), generator)
    tx = _randint(x, -mx, mx + 1, (n,), generator)
    return ty, tx


def _cutout_keep(x: Tensor, generator: torch.Generator | None, ratio: float = CUTOUT_RATIO) -> Tensor:
    """Bool mask N×1×H×W, False inside one random round(ratio·H)×round(ratio·W) box lying wholly in the image."""
    n, _, h, w = x.shape
    sh, sw = max(int(h * ratio + 0.5), 1), max(int(w * ratio + 0.5), 1)
    # top-left corner uniform over every position that keeps the box inside the image
    oy = _randint(x, 0, h - sh + 1, (n,), generator)
    ox = _randint(x, 0, w - sw + 1, (n,), generator)
    rows = torch.arange(h, device=x.device).view(1, h, 1) - oy.view(n, 1, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) - ox.view(n, 1, 1)
    cut = (rows >= 0) & (rows < sh) & (cols >= 0) & (cols < sw)
    return (~cut).unsqueeze(1)


# ---------------------------------------------------------------- the three DiffAugment policies


def rand_brightness(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """x + b with b ~ U[-0.5, 0.5) per sample (Zhao et al. 2020, section 3.2, 'Color')."""
    return x + (_uniform(x, (x.shape[0], 1, 1, 1), generator) - 0.5)


def rand_saturation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """(x − x̄_c)·s + x̄_c, x̄_c the per-pixel channel mean, s ~ U[0, 2) per sample; the identity when C == 1."""
    if x.shape[1] == 1:  # the channel mean is the pixel itself, so the op is the identity: draw nothing
        return x
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (_uniform(x, (x.shape[0], 1, 1, 1), generator) * 2) + mean


def rand_contrast(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """(x − x̄)·c + x̄, x̄ the per-sample mean over C, H, W, c ~ U[0.5, 1.5) per sample."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, (x.shape[0], 1, 1, 1), generator) + 0.5) + mean


def rand_color(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """DiffAugment's 'color' policy: brightness, then saturation, then contrast (the reference order)."""
    return rand_contrast(rand_saturation(rand_brightness(x, generator), generator), generator)


def rand_translation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Shift each sample by integer (dy, dx), each uniform in [-round(side/8), round(side/8)], zero padded."""
    ty, tx = _random_shifts(x, generator)
    return _translate(x, ty, tx, padding="zero")


def rand_cutout(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Zero one box of half the height × half the width per sample, placed uniformly inside the image.

    DeVries & Taylor (2017), as used by Zhao et al. (2020). Unlike the reference code, whose box
    may hang over the border, the box always lies inside the image, so exactly
    round(H/2)·round(W/2) pixels (25% for even sides) are zeroed in each sample.
    """
    keep = _cutout_keep(x, generator)
    return torch.where(keep, x, torch.zeros((), dtype=x.dtype, device=x.device))


_POLICY_FNS: dict[str, Callable[[Tensor, torch.Generator | None], Tensor]] = {
    "color": rand_color,
    "translation": rand_translation,
    "cutout": rand_cutout,
}


def _parse_names(spec: str | Sequence[str], valid: Sequence[str], what: str) -> list[str]:
    """Split 'a,b' (or take a list) into names, raising ConfigError that lists `valid` for any unknown one."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [n.strip() for n in names if n.strip()]
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ConfigError(f"unknown {what} {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}")
    return names


def diff_augment(
    x: Tensor, policy: str = "color,translation,cutout", generator: torch.Generator | None = None
) -> Tensor:
    """Apply DiffAugment's comma-separated `policy` to images x (N×C×H×W in [-1, 1]), differentiably.

    T(x) of Zhao et al. (2020), eq. 2-3: call it on real images and on G's images, in both the D
    and the G step, so that D never sees an unaugmented image and G gets gradients through T.
    Policies run in the order written (duplicates run twice); '' returns x. Valid names are
    DIFFAUGMENT_POLICIES:

    - 'color': brightness + U[-0.5, 0.5); saturation × U[0, 2) around the per-pixel channel mean
      (skipped for 1-channel images, where it is the identity); contrast × U[0.5, 1.5) around the
      per-sample mean.
    - 'translation': integer shift of each axis by U{-round(side/8), …, round(side/8)}, zero padded.
    - 'cutout': a round(H/2)×round(W/2) box of zeros, placed uniformly inside the image.
    """
    names = _parse_names(policy, DIFFAUGMENT_POLICIES, "DiffAugment policy")
    _check_images(x, "diff_augment")
    for name in names:
        x = _POLICY_FNS[name](x, generator)
    return x
