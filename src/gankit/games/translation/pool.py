"""A history of generated images for a discriminator (Shrivastava et al. 2017, section 2.3; Zhu et al. 2017, section 4).

D is updated on a mix of the newest fakes and older ones, so that it does not forget what the
generator used to draw and the two do not chase each other in circles.
"""

from __future__ import annotations

from typing import Any

import torch


class ImagePool:
    """Up to `size` past fakes. Each new image enters while the pool fills; once full, with probability ½ it
    replaces a stored image chosen uniformly and D sees the stored one instead, else D sees the new image.

    The draws come from the pool's own seeded generator, saved with the images, so a resumed run shows
    D exactly the images an uninterrupted one would. size 0 passes every batch through unchanged.
    """

    def __init__(self, size: int, seed: int) -> None:
        self.size = int(size)
        self.images: torch.Tensor | None = None  # size × C × H × W once the first batch arrives
        self.count = 0
        self.gen = torch.Generator().manual_seed(int(seed))

    @torch.no_grad()
    def query(self, fakes: torch.Tensor) -> torch.Tensor:
        """The batch D is shown in place of `fakes` (detached; same shape, device and dtype)."""
        fakes = fakes.detach()
        if self.size == 0:
            return fakes
        if self.images is None:
            self.images = torch.zeros((self.size, *fakes.shape[1:]), dtype=fakes.dtype, device=fakes.device)
        self.images = self.images.to(fakes.device, fakes.dtype)  # after a resume they come back on the CPU
        out = []
        for image in fakes:
            if self.count < self.size:
                self.images[self.count] = image
                self.count += 1
                out.append(image)
                continue
            swap = torch.rand((), generator=self.gen).item() < 0.5
            if swap:
                k = int(torch.randint(self.size, (), generator=self.gen))
                out.append(self.images[k].clone())
                self.images[k] = image
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict[str, Any]:
        """The stored images, their count and the generator's state."""
        return {"images": None if self.images is None else self.images[: self.count].cpu(), "count": self.count,
                "gen": self.gen.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` saved."""
        self.count = int(state["count"])
        self.gen.set_state(state["gen"])
        stored = state["images"]
        if stored is None:
            self.images = None
            return
        self.images = torch.zeros((self.size, *stored.shape[1:]), dtype=stored.dtype)
        self.images[: self.count] = stored
