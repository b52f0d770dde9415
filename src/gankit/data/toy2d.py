"""The 2-D Gaussian mixtures of PacGAN (Lin et al. 2018, "PacGAN: The power of two samples in GANs", section 5).

ring8: 8 modes evenly spaced on the unit circle, std 0.01.
grid25: 25 modes on the grid {-4, -2, 0, 2, 4}², std 0.05.
Mode-coverage metrics need the centres and std without the samples, so both are exported.
"""

from __future__ import annotations

import math

import torch

from gankit.data.base import ArrayDataset
from gankit.errors import DataError


def _ring8_centres() -> torch.Tensor:
    angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
    return torch.stack([angles.cos(), angles.sin()], dim=1).float()


def _grid25_centres() -> torch.Tensor:
    coords = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)


# name -> (centres factory, std); one place for the protocol numbers.
_MIXTURES = {
    "ring8": (_ring8_centres, 0.01),
    "grid25": (_grid25_centres, 0.05),
}


def _lookup(name: str) -> tuple:
    if name not in _MIXTURES:
        raise DataError(f"unknown 2-D mixture {name!r}; use one of {sorted(_MIXTURES)}")
    return _MIXTURES[name]


def mixture_centres(name: str) -> torch.Tensor:
    """Mode centres of a named mixture as a float32 K×2 tensor (row k is mode k)."""
    return _lookup(name)[0]()


def mixture_std(name: str) -> float:
    """Per-coordinate standard deviation of every mode of a named mixture."""
    return float(_lookup(name)[1])


def sample_mixture(name: str, n: int, seed: int = 0) -> ArrayDataset:
    """Draw n points from a named mixture, choosing modes uniformly; labels are mode indices."""
    if not isinstance(n, int) or n < 1:
        raise DataError(f"{name}: asked for n={n!r} points; pass a positive integer (e.g. --set data.n=10000)")
    centres, std = mixture_centres(name), mixture_std(name)
    gen = torch.Generator().manual_seed(int(seed))
    modes = torch.randint(len(centres), (n,), generator=gen)
    noise = torch.randn(n, 2, generator=gen) * std
    x = (centres[modes] + noise).float()
    return ArrayDataset(
        x=x,
        y=modes.long(),
        class_names=[f"mode {k}" for k in range(len(centres))],
        kind="points",
        name=name,
        meta={"centres": centres.tolist(), "std": std},
    )


def ring8(n: int = 100_000, seed: int = 0) -> ArrayDataset:
    """Sample the ring of 8 Gaussians (radius 1, std 0.01) of PacGAN (Lin et al. 2018)."""
    return sample_mixture("ring8", n, seed)


def grid25(n: int = 100_000, seed: int = 0) -> ArrayDataset:
    """Sample the 5×5 grid of Gaussians (spacing 2, std 0.05) of PacGAN (Lin et al. 2018)."""
    return sample_mixture("grid25", n, seed)
