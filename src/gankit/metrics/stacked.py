"""Mode counting on stacked images (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018, §5.2).

Each channel of a generated 3-channel image is classified on its own; the triple of classes is
its mode (one of 10³). Reported: the number of modes that received at least one sample, and the
reverse KL(p̂ || uniform) of the mode histogram (lower is better; 0 for a perfectly even cover).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from gankit.metrics.base import MetricError, MetricResult


@torch.no_grad()
def stacked_mode_coverage(
    images: torch.Tensor, classify: Callable[[torch.Tensor], torch.Tensor], classes: int = 10, batch_size: int = 512
) -> MetricResult:
    """Modes captured (value) and reverse KL to uniform (extras) of 3-channel images, by per-channel class."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise MetricError(f"stacked mode counting needs N×3×H×W images, got shape {tuple(images.shape)}")
    n_modes = classes**3
    modes = []
    for i in range(0, len(images), batch_size):
        x = images[i : i + batch_size]
        digits = [classify(x[:, c : c + 1]).argmax(1) for c in range(3)]
        modes.append(digits[0] * classes * classes + digits[1] * classes + digits[2])
    hist = torch.bincount(torch.cat(modes).cpu(), minlength=n_modes).double()
    p = hist / hist.sum()
    nz = p > 0
    kl = float((p[nz] * torch.log(p[nz] * n_modes)).sum())
    return MetricResult("modes", float(nz.sum()), n_fake=len(images),
                        extras={"n_modes": n_modes, "reverse_kl": kl, "max_possible_kl": math.log(n_modes)})
