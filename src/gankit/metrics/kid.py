"""Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs", section 3 and appendix D).

KID is the unbiased estimate of the squared maximum mean discrepancy (Gretton et al. 2012, eq. 3)

    MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j)

with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³ on d-dimensional features. As in the paper's
code (and torchmetrics), it is averaged over `subsets` random subsets of `subset_size` real and fake
features each, drawn without replacement by a seeded generator; `std` is the spread over subsets.
Unlike FID it is unbiased, so small sample counts can be compared; it can be slightly negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gankit.metrics.base import Metric, MetricError, MetricResult, block_rows


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor, degree: int = 3, gamma: float | None = None,
                      coef: float = 1.0) -> torch.Tensor:
    """k(x, y) = (γ xᵀy + coef)^degree for all row pairs, γ = 1/d by default (Bińkowski et al. 2018, section 3)."""
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (x @ y.T * gamma + coef) ** degree


def _kernel_sum(x: torch.Tensor, y: torch.Tensor, **kw: Any) -> float:
    """Σ_{i,j} k(x_i, y_j), blockwise so large sets never build the whole matrix."""
    rows = block_rows(len(y))
    return float(sum(polynomial_kernel(x[i:i + rows], y, **kw).sum() for i in range(0, len(x), rows)))


def polynomial_mmd2(x: torch.Tensor, y: torch.Tensor, degree: int = 3, gamma: float | None = None,
                    coef: float = 1.0) -> float:
    """Unbiased MMD² (Gretton et al. 2012, eq. 3) of x (m×d) and y (n×d) under the polynomial kernel, float64."""
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise MetricError(f"the unbiased MMD² needs at least 2 samples per set; got {m} and {n}")
    x, y = x.double(), y.double()
    kw = {"degree": degree, "gamma": 1.0 / x.shape[1] if gamma is None else gamma, "coef": coef}
    diag_x = float(((x * x).sum(1) * kw["gamma"] + coef).pow(degree).sum())
    diag_y = float(((y * y).sum(1) * kw["gamma"] + coef).pow(degree).sum())
    k_xx = (_kernel_sum(x, x, **kw) - diag_x) / (m * (m - 1))
    k_yy = (_kernel_sum(y, y, **kw) - diag_y) / (n * (n - 1))
    k_xy = _kernel_sum(x, y, **kw) / (m * n)
    return k_xx + k_yy - 2.0 * k_xy


def kid(real: torch.Tensor, fake: torch.Tensor, subsets: int = 100, subset_size: int = 1000, seed: int = 0,
        provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """KID of real (N×D) and fake (M×D) features: mean and std of MMD²_u over random subsets."""
    m = KID(subsets=subsets, subset_size=subset_size, seed=seed, provenance=provenance)
    m.update(real=real, fake=fake)
    return m.compute()


class KID(Metric):
    """Kernel Inception Distance on injected features; lower is better, ≈ 0 for equal distributions.

    subset_size larger than the smaller set is reduced to its size (recorded as `subset_size_used`).
    """

    name = "kid"
    min_real = 2
    min_fake = 2
    min_reason = "the unbiased MMD² leaves out the diagonal, so each subset needs 2 samples"

    def __init__(self, subsets: int = 100, subset_size: int = 1000, seed: int = 0, degree: int = 3,
                 gamma: float | None = None, coef: float = 1.0,
                 provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__(provenance)
        if subsets < 1 or subset_size < 2:
            raise MetricError(f"KID needs subsets ≥ 1 and subset_size ≥ 2; got subsets={subsets}, "
                              f"subset_size={subset_size}")
        self.subsets, self.subset_size, self.seed = subsets, subset_size, seed
        self.kernel = {"degree": degree, "gamma": gamma, "coef": coef}

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        size = min(self.subset_size, len(real), len(fake))
        gen = torch.Generator().manual_seed(self.seed)
        values = []
        for _ in range(self.subsets):
            r = real[torch.randperm(len(real), generator=gen)[:size]]
            f = fake[torch.randperm(len(fake), generator=gen)[:size]]
            values.append(polynomial_mmd2(r, f, **self.kernel))
        t = torch.tensor(values, dtype=torch.float64)
        # No ci: subsets overlap, so the spread over them is not an independent-sample standard error.
        return MetricResult(
            name=self.name, value=float(t.mean()), std=float(t.std()) if len(values) > 1 else None,
            extras={"subsets": self.subsets, "subset_size": self.subset_size, "subset_size_used": size,
                    "kernel": f"(x·y/{real.shape[1]} + 1)^3" if self.kernel == {"degree": 3, "gamma": None,
                                                                              "coef": 1.0} else self.kernel},
            provenance={"seed": self.seed},
        )
