"""The truncation trick: trade variety for typicality by pulling the latent towards its mean."""

from __future__ import annotations

import math

import torch

from gankit.errors import ConfigError


def check_truncation(psi: float) -> float:
    """ψ itself, or a ConfigError unless it is a finite number in [0, 1]: NaN would draw blank images silently."""
    if not (isinstance(psi, (int, float)) and math.isfinite(psi) and 0 <= psi <= 1):
        raise ConfigError(f"truncation ψ must be in [0, 1] (1 = off, 0 = the mean), got {psi!r}")
    return float(psi)


def truncate(z: torch.Tensor, psi: float, mean: torch.Tensor | None = None) -> torch.Tensor:
    """The truncation trick: z̄ + ψ·(z − z̄) (Karras et al. 2019, section 2; cf. Brock et al. 2019).

    ψ = 1 leaves z alone, ψ = 0 gives the mean z̄ (0 for the Gaussian prior, or the mean latent of a
    mapping network), 0 < ψ < 1 trades variety for typicality.
    """
    if check_truncation(psi) == 1:
        return z
    mean = torch.zeros_like(z) if mean is None else mean.to(z)
    return mean + psi * (z - mean)
