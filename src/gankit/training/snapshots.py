"""Keeping the sampling network and D at chosen steps, for the snapshot-mixture sampler (gankit.sampling.mixture)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from gankit.training.callbacks import Callback
from gankit.training.checkpoint import refuse_nonfinite, save_snapshot
from gankit.training.state import TrainState


class SnapshotKeeper(Callback):
    """Writes snapshots/step_XXXXXXX/{G or G_ema, D}.safetensors at `steps` and at the last step of training.

    The last step is the run's `total`, or the step a time budget stopped at. Weights only: a snapshot
    cannot be resumed from, and a resumed run rewrites the ones after its checkpoint bit for bit.
    """

    def __init__(self, state: TrainState, folder: str | Path, steps: Collection[int], judge: str = "D") -> None:
        self.state, self.folder, self.steps, self.judge = state, Path(folder), frozenset(steps), judge
        self.total, self.last = 0, -1

    def on_start(self, step: int, total: int) -> None:
        """Remember where training will stop."""
        self.total = total

    def on_step(self, step: int) -> None:
        """Keep this step when it is one of `steps` or the last."""
        if step in self.steps or step == self.total:
            self.keep(step)

    def on_end(self, step: int, status: str) -> None:
        """A time budget ends training early: keep its last step too."""
        if status == "budget" and self.last != step:
            self.keep(step)

    def keep(self, step: int) -> Path:
        """Write this step's sampling network and judge."""
        w = self.state.weights()
        name = f"{self.state.ema_of}_ema" if self.state.ema is not None else self.state.ema_of
        kept = {name: w[name], self.judge: w[self.judge]}
        refuse_nonfinite(kept, step)
        self.last = step
        return save_snapshot(self.folder, step, kept)
