"""Projection (GAN inversion): the code whose image best matches a real one.

Minimise ‖G(z, c) − x‖² / n_pixels + λ_f·‖φ(G(z, c)) − φ(x)‖² / dim φ + λ_p·‖z‖²/z_dim over z, by Adam,
starting from the best of several random codes (the optimisation-based inversion of Zhu et al. 2016
and Creswell & Bharath 2018). φ are the penultimate features of the run's domain classifier, when
the dataset has one (a perceptual term: pixels alone favour blurry matches); the small prior term keeps
z where the Gaussian prior has mass, so the code stays usable for interpolation and editing. On a
conditional run the class is given, or found as the class whose best start matches best.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from gankit.errors import ConfigError
from gankit.latent.codes import Code, one_hot
from gankit.metrics.features import DOMAIN_NAMES, DomainClassifier, load_domain_classifier
from gankit.run import Run

TargetImage = str | Path | np.ndarray | torch.Tensor  # a file, a uint8 array (H, W[, C]) or a tensor (C, H, W)


@dataclass
class ProjectionResult:
    """The projected code, its image, and the reconstruction error at the start and the end."""

    code: Code
    target: torch.Tensor  # (C, H, W) in [-1, 1]
    start: torch.Tensor  # G of the starting code
    reconstruction: torch.Tensor  # G of the projected code
    start_error: float  # pixel MSE in [-1, 1] units
    final_error: float
    start_loss: float  # the whole objective (pixels + features + prior)
    final_loss: float
    history: list[float] = field(default_factory=list)


def load_target(run: Run, image: TargetImage, resize: bool = False) -> torch.Tensor:
    """A target image for `run` as (C, H, W) in [-1, 1], from a path, a uint8 array or a tensor.

    The image must have the run's size and channels (H×W, 1 = gray or 3 = RGB) unless `resize`.
    """
    c, h, w = run.info["shape"]
    expected = f"{h}×{w} {'grayscale (1 channel)' if c == 1 else 'RGB (3 channels)'}"
    if isinstance(image, (str, Path)):
        from PIL import Image, UnidentifiedImageError  # lazy: loaded only when an image file is read or written

        path = Path(image)
        if not path.is_file():
            raise ConfigError(f"image {path} does not exist")
        try:
            with Image.open(path) as im:
                if resize:
                    im = im.convert("L" if c == 1 else "RGB").resize((w, h), Image.Resampling.BICUBIC)
                elif im.mode not in ("L", "RGB", "RGBA", "P", "I;16", "1"):
                    raise ConfigError(f"image {path}: unsupported mode {im.mode}; expected {expected}")
                got_c = 1 if im.mode in ("L", "1", "I;16") else 3
                if not resize and (im.size != (w, h) or got_c != c):
                    raise ConfigError(f"image {path} is {im.size[1]}×{im.size[0]} with {got_c} channel(s); this "
                                      f"run generates {expected} images. Resize it, or pass --resize")
                arr = np.asarray(im.convert("L" if c == 1 else "RGB"))
        except UnidentifiedImageError:
            raise ConfigError(f"{path} is not an image Pillow can read") from None
        x = torch.from_numpy(arr.copy())
        x = x[None] if x.dim() == 2 else x.permute(2, 0, 1)
        return x.float() / 127.5 - 1
    x = torch.as_tensor(np.asarray(image) if not torch.is_tensor(image) else image)
    if x.dim() == 2:
        x = x[None]
    if x.dim() != 3 or tuple(x.shape) != (c, h, w):
        raise ConfigError(f"target has shape {tuple(x.shape)}; this run generates {expected} images, "
                          f"shape ({c}, {h}, {w})")
    return x.float() / 127.5 - 1 if x.dtype == torch.uint8 else x.float()


@torch.no_grad()
def _best_start(loss_of, classes: list, k: int, restarts: int, z_dim: int, seed: int) -> tuple:
    """(loss, pixel error, z, class code) of the best of `restarts` random codes per class: where Adam starts."""
    g = torch.Generator().manual_seed(seed)
    best = None
    for ci in classes:
        z0 = torch.randn(restarts, z_dim, generator=g)
        c0 = one_hot(ci, k).expand(restarts, k) if ci is not None else None
        total, pixel = loss_of(z0, c0)
        j = int(total.argmin())
        if best is None or float(total[j]) < best[0]:
            best = (float(total[j]), float(pixel[j]), z0[j].clone(), None if ci is None else one_hot(ci, k))
    return best


def project(run: Run, image: TargetImage, cls: str | int | None = None, steps: int = 300, lr: float = 0.05, restarts: int = 16,
            feature_weight: float = 1.0, prior_weight: float = 1e-3, seed: int = 0, resize: bool = False,
            classifier: DomainClassifier | None = None) -> ProjectionResult:
    """Find the code whose image best matches `image` (path, array or tensor); see the module docstring."""
    if run.kind != "image":
        raise ConfigError("projection works on image runs")
    if steps < 1 or restarts < 1:
        raise ConfigError(f"need steps ≥ 1 and restarts ≥ 1, got steps={steps}, restarts={restarts}")
    target = load_target(run, image, resize)
    G = run.generator()
    if classifier is None and feature_weight > 0 and run.data_name in DOMAIN_NAMES:  # else the pixel loss alone
        classifier = load_domain_classifier(run.data_name)
    if classifier is not None:
        classifier = classifier.eval().requires_grad_(False)
    phi_target = classifier.features(target[None]).detach() if classifier is not None else None
    classifier_weight = feature_weight if classifier is not None else 0.0

    def loss_of(z: torch.Tensor, c: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        x = G(z, c) if c is not None else G(z)
        pixel = ((x - target) ** 2).flatten(1).mean(1)
        total = pixel + prior_weight * (z**2).mean(1)
        if classifier_weight:
            total = total + classifier_weight * ((classifier.features(x) - phi_target) ** 2).mean(1)
        return total, pixel

    k = len(run.class_names) if run.conditional else 0
    classes = [run.class_index(cls)] if (k and cls is not None) else list(range(k)) if k else [None]
    if cls is not None and not k:
        raise ConfigError(f"{run.path} is unconditional: projection takes no class")
    best = _best_start(loss_of, classes, k, restarts, run.z_dim, seed)
    start_loss, start_error, z_start, c = best
    z = z_start.clone()[None].requires_grad_(True)
    cb = None if c is None else c[None]
    opt = torch.optim.Adam([z], lr=lr)
    history = []
    for _ in range(steps):
        total, _ = loss_of(z, cb)
        opt.zero_grad(set_to_none=True)
        total.sum().backward()
        opt.step()
        history.append(float(total.detach()))
    with torch.no_grad():
        final_total, final_pixel = loss_of(z, cb)
        if float(final_total) > start_loss:  # Adam overshot: keep the start (never report a worse code)
            z, final_total, final_pixel = z_start[None], torch.tensor([start_loss]), torch.tensor([start_error])
        code = Code(z.detach()[0].clone(), c)
        start_img = G(z_start[None], cb) if cb is not None else G(z_start[None])
        recon = G(z.detach(), cb) if cb is not None else G(z.detach())
    return ProjectionResult(code, target, start_img[0].float(), recon[0].float(), start_error, float(final_pixel),
                            start_loss, float(final_total), history)
