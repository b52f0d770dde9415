"""The trained networks `gankit view` draws from, loaded once per checkpoint and reloaded when a newer one lands.

Whether a checkpoint is intact is its manifest's SHA-256 of every file: worth knowing once, too dear
to recompute on every request. So each answer is remembered under the folder and its manifest's
identity (inode, size, change time): a checkpoint rewritten in place, or a run deleted and trained
again, gets a new identity and is checked and loaded afresh.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from gankit.run import Run
from gankit.training.checkpoint import MANIFEST, checkpoint_problem, latest_checkpoint
from gankit.utils import run_dir as rd
from gankit.view.runs import read_json

STEP = re.compile(r"^step_(\d+)$")
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
        self._intact: dict[tuple[Path, Stamp], bool] = {}
        self._runs: dict[tuple, Run] = {}
        self._real: dict[tuple[Path, Stamp], np.ndarray] = {}
        self.lock = threading.Lock()

    def intact(self, checkpoint: Path) -> bool:
        """Whether a checkpoint or snapshot folder is whole (its manifest's hashes, checked once per manifest)."""
        key = (checkpoint, stamp(checkpoint / MANIFEST))
        if key not in self._intact:
            if len(self._intact) > 4096:
                self._intact.clear()
            self._intact[key] = checkpoint_problem(checkpoint) is None
        return self._intact[key]

    def saved_steps(self, folder: Path) -> dict[int, Path]:
        """Every intact checkpoint and generator snapshot of a run, by step (a checkpoint wins over a snapshot)."""
        found: dict[int, Path] = {}
        for sub in (rd.SNAPSHOTS, rd.CHECKPOINTS):
            try:
                children = sorted((folder / sub).iterdir())
            except OSError:
                continue
            for child in children:
                m = STEP.match(child.name)
                if m and child.is_dir() and self.intact(child):
                    found[int(m.group(1))] = child
        return dict(sorted(found.items()))

    def newest(self, folder: Path) -> Path:
        """The checkpoint latest.json names when it is intact; else the newest intact one (CheckpointError if none)."""
        root = folder / rd.CHECKPOINTS
        pointed = read_json(root / "latest.json").get("dir")
        if isinstance(pointed, str) and STEP.match(pointed) and self.intact(root / pointed):
            return root / pointed
        return latest_checkpoint(root)

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
