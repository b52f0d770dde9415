"""Mode coverage of 2-D Gaussian mixtures, by the protocol of PacGAN (Lin et al. 2018, section 5).

For generated points and the mixture's centres and std σ:
- each point is assigned to its nearest centre;
- it is *high quality* (HQ) when that distance is within 3σ;
- a mode is *captured* when at least one HQ point is assigned to it;
- reverse KL = KL(p̂ || uniform), with p̂ the histogram of HQ points over modes (empty bins add 0);
- weakest = the smallest mode's share of HQ points times the number of modes: 1 for equal weights,
  0 when a mode is dropped; it tells a few nearly empty modes (a large KL from a handful of points)
  apart from weights that are uneven everywhere;
- spread = per-mode RMS distance of its HQ points to the centre, divided by √2·σ, averaged over
  captured modes. For an exact sampler the radius r of a 2-D Gaussian, truncated at 3σ, gives
  E[r² | r ≤ 3σ] / (2σ²) ≈ 0.944, so spread ≈ 0.97; a generator that piles points on the centres
  scores near 0, one that is too diffuse scores above 1.
- width = the same with each mode's HQ points measured from their own mean instead of the centre:
  the spread with the offset taken out (spread² ≈ width² + offset² / 2σ² per mode). An exact
  sampler scores ≈ 0.97 on both; narrow modes set beside the centres can reach a fair spread
  through their offset alone, and their width gives them away.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch


@dataclass
class ModeCoverage:
    """The PacGAN scores of one set of samples."""

    modes: int
    n_modes: int
    hq_fraction: float
    reverse_kl: float
    spread: float
    width: float
    n_samples: int
    weakest: float

    def as_dict(self) -> dict[str, float]:
        """The scores as a plain dict."""
        return asdict(self)


def mode_coverage(samples: torch.Tensor, centres: torch.Tensor, std: float) -> ModeCoverage:
    """Score generated 2-D points (N×2) against mixture centres (M×2) with component std `std`."""
    samples = samples.detach().double().cpu()
    centres = torch.as_tensor(centres).double()
    dist = torch.cdist(samples, centres)
    d_min, nearest = dist.min(dim=1)
    hq = d_min <= 3 * std
    m = len(centres)
    counts = torch.bincount(nearest[hq], minlength=m).double()
    captured = counts > 0
    n_hq = int(hq.sum())
    if n_hq:
        p = counts / n_hq
        nz = p > 0
        reverse_kl = float((p[nz] * torch.log(p[nz] * m)).sum())
        x, k = samples[hq], nearest[hq]

        def per_mode(values: torch.Tensor) -> torch.Tensor:
            return torch.zeros((m, *values.shape[1:]), dtype=torch.float64).index_add_(0, k, values)

        def scaled_rms(sq_dist: torch.Tensor) -> float:  # mean over captured modes of RMS distance / √2σ
            return float((torch.sqrt(per_mode(sq_dist)[captured] / counts[captured]) / (math.sqrt(2) * std)).mean())

        spread = scaled_rms(d_min[hq] ** 2)
        own_mean = per_mode(x) / counts.clamp(min=1)[:, None]
        width = scaled_rms(((x - own_mean[k]) ** 2).sum(1))
    else:
        reverse_kl, spread, width = float("inf"), 0.0, 0.0
    weakest = float(counts.min() * m / n_hq) if n_hq else 0.0
    return ModeCoverage(
        modes=int(captured.sum()),
        n_modes=m,
        hq_fraction=n_hq / max(1, len(samples)),
        reverse_kl=reverse_kl,
        spread=spread,
        width=width,
        n_samples=len(samples),
        weakest=weakest,
    )
