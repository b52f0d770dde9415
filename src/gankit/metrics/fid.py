"""Fréchet distance between Gaussians fitted to real and fake features (FID, Heusel et al. 2017).

FID = ‖μ_r − μ_f‖² + Tr(Σ_r + Σ_f − 2 (Σ_r Σ_f)^{1/2})   (Heusel et al. 2017, section "FID"; Dowson & Landau 1982)

μ and Σ are the sample mean and the unbiased (N−1) sample covariance of N×D features, in float64.
The trace of the matrix square root is computed without forming it: Σ_r Σ_f is similar to the symmetric
PSD matrix A = Σ_r^{1/2} Σ_f Σ_r^{1/2}, so Tr (Σ_r Σ_f)^{1/2} = Σ_i √λ_i(A), with both steps done by
symmetric eigendecompositions (tiny negative eigenvalues from round-off are clipped to 0). This is exact
for singular covariances (N ≤ D), where scipy's sqrtm needs an ε-regulariser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from gankit.metrics.base import Metric, MetricError, MetricResult

_STATS_BLOCK = 4096


def feature_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D) and unbiased covariance (D×D) of N×D features, in float64, two-pass and blockwise."""
    n = len(x)
    if n < 2:
        raise MetricError(f"a covariance needs at least 2 samples; got {n}")
    mu = torch.zeros(x.shape[1], dtype=torch.float64)
    for i in range(0, n, _STATS_BLOCK):
        mu += x[i:i + _STATS_BLOCK].double().sum(0)
    mu /= n
    cov = torch.zeros(x.shape[1], x.shape[1], dtype=torch.float64)
    for i in range(0, n, _STATS_BLOCK):
        c = x[i:i + _STATS_BLOCK].double() - mu
        cov += c.T @ c
    return mu, cov / (n - 1)


def _psd_sqrt(a: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric PSD matrix via eigh (negative round-off eigenvalues -> 0)."""
    w, v = torch.linalg.eigh((a + a.T) / 2)
    return (v * w.clamp(min=0).sqrt()) @ v.T


def trace_sqrt_product(sigma1: torch.Tensor, sigma2: torch.Tensor) -> float:
    """Tr((Σ1 Σ2)^{1/2}) for PSD Σ1, Σ2, as Σ √eig(Σ1^{1/2} Σ2 Σ1^{1/2})."""
    s1 = _psd_sqrt(sigma1)
    a = s1 @ sigma2 @ s1
    w = torch.linalg.eigvalsh((a + a.T) / 2)
    return float(w.clamp(min=0).sqrt().sum())


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2) (Dowson & Landau 1982; Heusel et al. 2017)."""
    mu1, mu2 = (torch.as_tensor(np.asarray(m) if not isinstance(m, torch.Tensor) else m).double().cpu().reshape(-1)
                for m in (mu1, mu2))
    sigma1, sigma2 = (torch.as_tensor(np.asarray(s) if not isinstance(s, torch.Tensor) else s).double().cpu()
                      for s in (sigma1, sigma2))
    d = len(mu1)
    if len(mu2) != d or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise MetricError(f"frechet_distance: shapes do not agree: mu1 {tuple(mu1.shape)}, sigma1 "
                          f"{tuple(sigma1.shape)}, mu2 {tuple(mu2.shape)}, sigma2 {tuple(sigma2.shape)}")
    diff = mu1 - mu2
    return float(diff @ diff) + float(sigma1.trace() + sigma2.trace()) - 2.0 * trace_sqrt_product(sigma1, sigma2)


def fid(real: torch.Tensor, fake: torch.Tensor, provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """FID between real (N×D) and fake (M×D) features; needs N, M ≥ 2."""
    m = FID(provenance=provenance)
    m.update(real=real, fake=fake)
    return m.compute()


class FID(Metric):
    """Fréchet Inception Distance on injected features (Heusel et al. 2017); lower is better, 0 for equal Gaussians.

    FID is biased upward at small N (Bińkowski et al. 2018, appendix D; Chong & Forsyth 2020): compare
    scores only at equal sample counts and with the same extractor.
    """

    name = "fid"
    min_real = 2
    min_fake = 2
    min_reason = "a covariance needs at least 2 samples"

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        mu_r, sigma_r = feature_statistics(real)
        mu_f, sigma_f = feature_statistics(fake)
        value = frechet_distance(mu_r, sigma_r, mu_f, sigma_f)
        d = real.shape[1]
        extras: dict[str, Any] = {"mean_term": float(((mu_r - mu_f) ** 2).sum()), "feature_dim": d}
        if min(len(real), len(fake)) <= d:
            extras["note"] = (f"fewer samples than feature dimensions ({min(len(real), len(fake))} ≤ {d}): "
                              f"covariances are singular and FID is strongly biased")
        return MetricResult(name=self.name, value=value, extras=extras)
