"""What D sees: the augmentation (DiffAugment/ADA, instance noise), then PacGAN packing, then the judging module."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gankit.games.adversarial.options import Augment
from gankit.utils.packing import pack


@dataclass
class DiscriminatorView:
    """Applies `augment` and packs `pack` samples per input before a discriminator judges a batch."""

    augment: Augment | None = None
    pack: int = 1

    def _inputs(self, x: torch.Tensor, c: torch.Tensor | None) -> tuple[torch.Tensor, ...]:
        if self.augment is not None:
            x = self.augment(x)
        x = pack(x, self.pack)
        return (x,) if c is None else (x, c)

    def judge(self, net: nn.Module, x: torch.Tensor, c: torch.Tensor | None = None,
              aux: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits, AC-GAN class logits or None) of `net` (D, its DDP wrapper or its eager module) for a batch."""
        args = self._inputs(x, c)
        if aux:
            return net(*args, aux=True)
        return net(*args), None

    def judge_with(self, D: nn.Module, params: dict[str, torch.Tensor], x: torch.Tensor,
                   c: torch.Tensor | None = None) -> torch.Tensor:
        """D's logits with its weights replaced by `params` (the unrolled look-ahead)."""
        return torch.func.functional_call(D, params, self._inputs(x, c))
