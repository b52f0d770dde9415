"""PacGAN packing of samples into one discriminator input."""

from __future__ import annotations

import torch


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """PacGAN packing (Lin et al. 2018): group m consecutive samples into one, along features or channels.

    (N, F) -> (N/m, m·F); (N, C, H, W) -> (N/m, m·C, H, W). D then judges m samples jointly.
    """
    if m == 1:
        return x
    n = x.shape[0]
    if n % m:
        raise ValueError(f"PacGAN packing of {m} needs a batch divisible by {m}, got {n}")
    if x.dim() == 4:
        return x.reshape(n // m, m * x.shape[1], *x.shape[2:])
    return x.reshape(n // m, -1)
