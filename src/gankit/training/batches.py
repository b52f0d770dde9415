"""Deterministic, resumable minibatches from tensors held in memory."""

from __future__ import annotations

from typing import Callable

import torch

from gankit.utils.seeding import derive_seed


class EpochBatches:
    """Shuffled minibatches without replacement; each epoch's order comes from (seed, epoch).

    The position (epoch, index) is the whole state, so a resumed run draws exactly the batches
    an uninterrupted one would. The last incomplete batch of an epoch is dropped.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        seed: int,
        transform: Callable[[torch.Tensor], torch.Tensor] = lambda t: t.float(),
        device: torch.device | str = "cpu",
    ) -> None:
        if batch_size > len(x):
            raise ValueError(f"train.batch_size={batch_size} is larger than the dataset ({len(x)} samples)")
        self.x, self.y, self.batch_size, self.seed = x, y, batch_size, seed
        self.transform, self.device = transform, torch.device(device)
        self.epoch, self.pos = 0, 0
        self._order = self._permutation(0)

    def _permutation(self, epoch: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(derive_seed(self.seed, 7, epoch))
        return torch.randperm(len(self.x), generator=g)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next (samples in model space, labels) on the target device."""
        if self.pos + self.batch_size > len(self.x):
            self.epoch, self.pos = self.epoch + 1, 0
            self._order = self._permutation(self.epoch)
        idx = self._order[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        x = self.transform(self.x[idx]).to(self.device, non_blocking=True)
        return x, self.y[idx].to(self.device, non_blocking=True)

    def state_dict(self) -> dict[str, int]:
        """The sampler position."""
        return {"epoch": self.epoch, "pos": self.pos}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Jump to a saved position."""
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._order = self._permutation(self.epoch)
