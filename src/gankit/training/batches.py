"""Deterministic, resumable minibatches from tensors held in memory."""

from __future__ import annotations

from collections.abc import Callable

import torch

from gankit.utils.seeding import derive_seed

# A dataset up to this size, and a quarter of the GPU's free memory, is copied to the GPU once, so the step
# draws its batch there: a copy from pageable host memory in every step makes the host wait for the GPU.
RESIDENT_BYTES = 4 << 30


def fits_on_device(x: torch.Tensor, device: torch.device) -> bool:
    """Whether `x` is small enough to live on a CUDA `device` for the whole run."""
    return device.type == "cuda" and x.nbytes <= min(RESIDENT_BYTES, torch.cuda.mem_get_info(device)[0] // 4)


class EpochBatches:
    """Shuffled minibatches without replacement; each epoch's order comes from (seed, epoch).

    The position (epoch, index) is the whole state, so a resumed run draws exactly the batches
    an uninterrupted one would. The last incomplete batch of an epoch is dropped. Under DDP every
    rank draws the same global permutation and takes its own slice of each global batch (a
    distributed sampler), so the position means the same for any number of processes. With `xflip`
    an epoch covers every image twice, once mirrored left-right (index ≥ N means mirrored). A `resident`
    dataset (by default: one that fits on a CUDA device) is moved to the device once and batched there,
    with the same batches as on the host.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        seed: int,
        transform: Callable[[torch.Tensor], torch.Tensor] = lambda t: t.float(),
        device: torch.device | str = "cpu",
        xflip: bool = False,
        rank: int = 0,
        world_size: int = 1,
        resident: bool | None = None,
    ) -> None:
        if batch_size % world_size:
            raise ValueError(f"train.batch_size={batch_size} does not divide among {world_size} processes; "
                             f"use a multiple of {world_size} (the batch size is global: each rank takes "
                             f"batch_size / world_size samples)")
        if batch_size > len(x) * (2 if xflip else 1):
            raise ValueError(f"train.batch_size={batch_size} is larger than the dataset ({len(x)} samples)")
        self.batch_size, self.seed = batch_size, seed
        self.transform, self.device, self.xflip = transform, torch.device(device), xflip
        self.resident = fits_on_device(x, self.device) if resident is None else resident
        self.x, self.y = (x.to(self.device), y.to(self.device)) if self.resident else (x, y)
        self.size = len(x) * (2 if xflip else 1)
        self.rank, self.world_size, self.local_batch = rank, world_size, batch_size // world_size
        self.epoch, self.pos = 0, 0
        self._order = self._permutation(0)

    def _permutation(self, epoch: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(derive_seed(self.seed, 7, epoch))
        order = torch.randperm(self.size, generator=g)  # drawn on the host: the same order on any device
        return order.to(self.device) if self.resident else order

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next (samples in model space, labels) on the target device."""
        if self.pos + self.batch_size > self.size:
            self.epoch, self.pos = self.epoch + 1, 0
            self._order = self._permutation(self.epoch)
        start = self.pos + self.rank * self.local_batch  # every rank shares the permutation, takes its slice
        idx = self._order[start : start + self.local_batch]
        self.pos += self.batch_size
        n = len(self.x)
        x = self.x[idx % n]
        if self.xflip:  # a select, not a masked assignment: no wait for the mask's count on a GPU
            mirrored = (idx >= n).view(-1, *[1] * (x.dim() - 1))
            x = torch.where(mirrored, x.flip(-1), x)
        x = self.transform(x).to(self.device, non_blocking=True)
        return x, self.y[idx % n].to(self.device, non_blocking=True)

    def state_dict(self) -> dict[str, int]:
        """The sampler position."""
        return {"epoch": self.epoch, "pos": self.pos}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Jump to a saved position."""
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._order = self._permutation(self.epoch)
