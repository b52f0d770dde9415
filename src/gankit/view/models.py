"""The trained networks `gankit view` draws from, loaded once per checkpoint and reloaded when a newer one lands.

Whether a checkpoint is intact is its manifest's SHA-256 of every file: worth knowing once, too dear
to recompute on every request. So each answer is remembered under the folder and its manifest's
identity (inode, size, change time): a checkpoint rewritten in place, or a run deleted and trained
again, gets a new identity and is checked and loaded afresh.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from gankit.run import Run
from gankit.training.checkpoint import MANIFEST, checkpoint_problem, latest_checkpoint, step_folders
from gankit.utils import run_dir as rd

Stamp = tuple[int, int, int] | None


def stamp(path: Path) -> Stamp:
    """A file's identity: (inode, size, change time in ns), or None when it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class RunCache:
    """Run objects and checkpoint checks, remembered by file identity; `lock` serialises the torch work."""

    def __init__(self) -> None:
        self._problems: dict[tuple[Path, Stamp], str | None] = {}
        self._runs: dict[tuple, Run] = {}
        self._real: dict[tuple[Path, Stamp], np.ndarray] = {}
        self.lock = threading.Lock()

    def problem(self, checkpoint: Path) -> str | None:
        """What is wrong with a checkpoint or snapshot folder (None: intact), checked once per manifest."""
        key = (checkpoint, stamp(checkpoint / MANIFEST))
        if key not in self._problems:
            if len(self._problems) > 4096:
                self._problems.clear()
            self._problems[key] = checkpoint_problem(checkpoint)
        return self._problems[key]

    def saved_steps(self, folder: Path) -> dict[int, Path]:
        """Every intact checkpoint and generator snapshot of a run, by step (a checkpoint wins over a snapshot)."""
        found = {int(p.name.removeprefix("step_")): p for sub in (rd.SNAPSHOTS, rd.CHECKPOINTS)
                 for p in step_folders(folder / sub) if self.problem(p) is None}
        return dict(sorted(found.items()))

    def newest(self, folder: Path) -> Path:
        """The newest intact checkpoint, as `latest_checkpoint` finds it (CheckpointError if none)."""
        return latest_checkpoint(folder / rd.CHECKPOINTS, self.problem)

    def at(self, folder: Path, checkpoint: Path) -> Run:
        """The run with its networks from one saved step (a checkpoint or snapshot folder already checked)."""
        key = (folder, checkpoint, stamp(checkpoint / MANIFEST), stamp(folder / rd.CONFIG))
        if key not in self._runs:
            if len(self._runs) > 64:  # a long slider session over many steps: keep memory bounded
                self._runs.clear()
            self._runs[key] = Run(folder).at_checkpoint(checkpoint)  # fixed: Run would hash it again
        return self._runs[key]

    def latest(self, folder: Path) -> Run:
        """The run at its newest intact checkpoint (a new Run when training writes a newer one)."""
        return self.at(folder, self.newest(folder))

    def real_points(self, folder: Path, n: int = 512) -> np.ndarray:
        """A fixed subset of a 2-D run's training points (n×2), drawn once per config."""
        key = (folder, stamp(folder / rd.CONFIG))
        if key not in self._real:
            x = self.latest(folder).dataset().x.numpy()
            pick = np.random.default_rng(0).choice(len(x), size=min(n, len(x)), replace=False)
            self._real[key] = x[np.sort(pick)]
        return self._real[key]
