"""The truncation trick: trade variety for typicality by pulling the latent towards its mean."""

from __future__ import annotations

import torch


def truncate(z: torch.Tensor, psi: float, mean: torch.Tensor | None = None) -> torch.Tensor:
    """The truncation trick: z̄ + ψ·(z − z̄) (Karras et al. 2019, section 2; cf. Brock et al. 2019).

    ψ = 1 leaves z alone, ψ = 0 gives the mean z̄ (0 for the Gaussian prior, or the mean latent of a
    mapping network), 0 < ψ < 1 trades variety for typicality.
    """
    if psi < 0:
        raise ValueError(f"truncation ψ must be ≥ 0 (1 = off, 0 = the mean), got {psi}")
    if psi == 1:
        return z
    mean = torch.zeros_like(z) if mean is None else mean.to(z)
    return mean + psi * (z - mean)
