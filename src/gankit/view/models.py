"""The trained networks `gankit view` draws from, loaded once per checkpoint and reloaded when a newer one lands."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from gankit.run import Run
from gankit.training.checkpoint import checkpoint_problem, latest_checkpoint
from gankit.utils import run_dir as rd

STEP = re.compile(r"^step_(\d+)$")


def saved_steps(folder: Path) -> dict[int, Path]:
    """Every intact checkpoint and generator snapshot of a run, by step (a checkpoint wins over a snapshot)."""
    found: dict[int, Path] = {}
    for sub in (rd.SNAPSHOTS, rd.CHECKPOINTS):
        try:
            children = sorted((folder / sub).iterdir())
        except OSError:
            continue
        for child in children:
            m = STEP.match(child.name)
            if m and child.is_dir() and checkpoint_problem(child) is None:
                found[int(m.group(1))] = child
    return dict(sorted(found.items()))


class RunCache:
    """Run objects by folder, kept while the run's latest checkpoint stays the same (one lock: torch is not re-entrant here)."""

    def __init__(self) -> None:
        self._runs: dict[Path, tuple[Path, Run]] = {}
        self._at: dict[Path, Run] = {}
        self._real: dict[Path, np.ndarray] = {}
        self.lock = threading.Lock()

    def latest(self, folder: Path) -> Run:
        """The run sampling from its newest intact checkpoint (reloaded when training wrote a newer one)."""
        newest = latest_checkpoint(folder / rd.CHECKPOINTS)
        cached = self._runs.get(folder)
        if cached is None or cached[0] != newest:
            self._runs[folder] = (newest, Run(folder))
        return self._runs[folder][1]

    def at(self, folder: Path, checkpoint: Path) -> Run:
        """The run with its networks from one saved step (checkpoint or snapshot folder)."""
        if checkpoint not in self._at:
            if len(self._at) > 64:  # a long slider session: keep memory bounded
                self._at.clear()
            self._at[checkpoint] = self.latest(folder).at_checkpoint(checkpoint)
        return self._at[checkpoint]

    def real_points(self, folder: Path, n: int = 512) -> np.ndarray:
        """A fixed subset of a 2-D run's training points (n×2), drawn once."""
        if folder not in self._real:
            x = self.latest(folder).dataset().x.numpy()
            pick = np.random.default_rng(0).choice(len(x), size=min(n, len(x)), replace=False)
            self._real[folder] = x[np.sort(pick)]
        return self._real[folder]
