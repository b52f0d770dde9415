"""Batches of two image domains: independent draws from each (unpaired), or aligned pairs (paired)."""

from __future__ import annotations

from typing import Any

import torch

from gankit.data.base import ArrayDataset
from gankit.training.batches import EpochBatches
from gankit.utils.seeding import derive_seed


class DomainBatches:
    """`next()` gives (a, b, labels) in model space: a batch of domain A and one of domain B.

    Unpaired data: each domain has its own shuffled epochs (seeded apart), so the pairs change every
    epoch. Paired data: one shuffled order over the pairs, so b[i] is the partner of a[i]; xflip then
    mirrors both images of a pair together. The state is the position in each order.
    """

    def __init__(self, data: ArrayDataset, batch_size: int, seed: int, device: torch.device | str = "cpu",
                 xflip: bool = False, rank: int = 0, world_size: int = 1) -> None:
        self.paired = bool(data.meta.get("paired"))
        self.transform = data.to_model_space
        a, b = data.x[data.y == 0], data.x[data.y == 1]
        common = {"batch_size": batch_size, "device": device, "rank": rank, "world_size": world_size}
        if self.paired:  # A and B side by side in the channels, so one order and one flip move both
            self.channels = a.shape[1]
            self.sides = [EpochBatches(torch.cat([a, b], 1), torch.zeros(len(a), dtype=torch.long), seed=seed,
                                       transform=self.transform, xflip=xflip, **common)]
        else:
            self.sides = [EpochBatches(x, torch.zeros(len(x), dtype=torch.long), seed=derive_seed(seed, 11, k),
                                       transform=self.transform, xflip=xflip, **common) for k, x in enumerate((a, b))]

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next batch of each domain, in [-1, 1]."""
        if self.paired:
            both, _ = self.sides[0].next()
            return both[:, : self.channels], both[:, self.channels :]
        return self.sides[0].next()[0], self.sides[1].next()[0]

    def state_dict(self) -> dict[str, Any]:
        """The position in each domain's order."""
        return {"sides": [s.state_dict() for s in self.sides]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Jump to a saved position."""
        for s, saved in zip(self.sides, state["sides"]):
            s.load_state_dict(saved)
