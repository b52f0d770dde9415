"""StyleGAN2's path-length regulariser as a lazy G phase, with its running mean checkpointed."""

from __future__ import annotations

import torch


class PathLengthState:
    """The running mean a of path lengths (StyleGAN2 eq. 4), checkpointed with the run."""

    def __init__(self) -> None:
        self.mean = torch.zeros(())

    def state_dict(self) -> dict:
        """The running mean."""
        return {"mean": self.mean.detach().cpu()}

    def load_state_dict(self, state: dict) -> None:
        """Restore the running mean."""
        self.mean = state["mean"].clone()
