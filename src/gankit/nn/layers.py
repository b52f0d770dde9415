"""Minibatch standard deviation and spectral normalisation."""

from __future__ import annotations

import torch
from torch import nn


class MinibatchStd(nn.Module):
    """Append the mean standard deviation across a group of samples as one extra feature (Karras et al. 2018, §3).

    Input (N, F) or (N, C, H, W). Samples are split into groups of `group_size` (or fewer when N is
    not divisible); for each group the std over its members is averaged over features/locations and
    appended as a constant channel, so D can see a lack of variety in the batch.
    """

    def __init__(self, group_size: int = 4) -> None:
        super().__init__()
        self.group_size = group_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x with one more channel (or feature)."""
        n = x.shape[0]
        g = min(self.group_size, n)
        while n % g:
            g -= 1
        y = x.float().reshape(g, n // g, *x.shape[1:])  # member index first, like StyleGAN's grouping
        std = (y.var(dim=0, unbiased=False) + 1e-8).sqrt().flatten(1).mean(1)  # (n // g,)
        std = std.repeat(g).to(x.dtype)  # back to one value per sample
        if x.dim() == 4:
            return torch.cat([x, std.view(n, 1, 1, 1).expand(n, 1, *x.shape[2:])], dim=1)
        return torch.cat([x, std.view(n, 1)], dim=1)


def apply_spectral_norm(module: nn.Module) -> nn.Module:
    """Spectrally normalise every Linear/Conv weight in place (Miyato et al. 2018): W / σ(W), σ by power iteration."""
    for name, child in list(module.named_children()):
        if isinstance(child, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            setattr(module, name, nn.utils.parametrizations.spectral_norm(child))
        else:
            apply_spectral_norm(child)
    return module
