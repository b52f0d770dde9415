"""Things that watch the game: CSV log, TensorBoard, progress bar, and periodic hooks."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from gankit.training.state import TrainState
from gankit.utils.atomic import write_json_atomic
from gankit.utils.optional import optional_import

Row = Mapping[str, float]


class Callback:
    """Hooks the trainer calls; every method is optional."""

    def on_bind(self, state: TrainState) -> None:
        """The game's state (its players, its step), once, before training starts or resumes."""

    def on_start(self, step: int, total: int) -> None:
        """Training starts (or resumes) at `step` and will stop at `total`."""

    def on_step(self, step: int) -> None:
        """An iteration finished; `step` iterations are done."""

    def on_log(self, step: int, row: Row) -> None:
        """Averaged statistics of the last logging window."""

    def on_end(self, step: int, status: str) -> None:
        """Training stopped: status is 'done', 'budget' (time budget used), 'interrupted' or 'diverged'."""


class CSVLogger(Callback):
    """Appends each logged row to a CSV file; on resume, drops rows past the checkpoint's step."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.columns: list[str] | None = None

    def on_start(self, step: int, total: int) -> None:
        """Keep only rows up to `step` (rows logged after the last checkpoint are replayed)."""
        if not self.path.exists():
            return
        with self.path.open() as f:
            rows = [r for r in csv.DictReader(f) if _whole(r) and int(float(r["step"])) <= step]
        self.columns = None
        self.path.unlink()
        for r in rows:
            self._append({k: v for k, v in r.items() if v != ""})

    def on_log(self, step: int, row: Row) -> None:
        """Write one row."""
        self._append(row)

    def _append(self, row: Mapping[str, object]) -> None:
        if self.columns is None and self.path.exists():
            with self.path.open() as f:
                self.columns = next(csv.reader(f), None)
        if self.columns is not None and not set(row) <= set(self.columns):
            self._rewrite_with(list(self.columns) + [k for k in row if k not in self.columns])
        new = self.columns is None
        if new:
            self.columns = list(row)
        with self.path.open("a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self.columns)
            if new:
                w.writeheader()
            w.writerow(row)

    def _rewrite_with(self, columns: list[str]) -> None:
        with self.path.open() as f:
            rows = list(csv.DictReader(f))
        with self.path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            w.writerows(rows)
        self.columns = columns


class StatusFile(Callback):
    """RUN/status.json: 'training' while the loop runs, then how it ended, so a viewer can tell without parsing the report."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.total = 0

    def on_start(self, step: int, total: int) -> None:
        """Say the run is training, from `step` towards `total`."""
        self.total = total
        self._write("training", step)

    def on_end(self, step: int, status: str) -> None:
        """Say how training ended: 'done', 'budget', 'interrupted', 'diverged' or 'failed'."""
        self._write(status, step)

    def _write(self, status: str, step: int) -> None:
        write_json_atomic(self.path, {"status": status, "step": step, "steps": self.total})


def read_metrics(path: str | os.PathLike) -> list[dict[str, float]]:
    """Read metrics.csv back as a list of {column: float} (a row cut short by a crash or a full disk is skipped)."""
    with open(path) as f:
        return [{k: float(v) for k, v in r.items() if v not in ("", None)} for r in csv.DictReader(f) if _whole(r)]


def _whole(row: dict[str | None, str | None]) -> bool:
    """Whether a CSV row was written completely: every column present, every value a number."""
    if None in row or None in row.values():
        return False
    try:
        [float(v) for v in row.values() if v != ""]
    except ValueError:
        return False
    return "step" in row and row["step"] != ""


class TensorBoardLogger(Callback):
    """Writes each logged row as TensorBoard scalars when tensorboard is installed (else does nothing)."""

    def __init__(self, logdir: str | os.PathLike) -> None:
        self.logdir, self.writer = str(logdir), None

    @property
    def available(self) -> bool:
        """Whether the tensorboard package is installed."""
        return optional_import("tensorboard") is not None

    def on_start(self, step: int, total: int) -> None:
        """Open the event file."""
        if self.available:
            from torch.utils.tensorboard import SummaryWriter  # lazy: optional extra (gankit[tb]): absent installs simply log no events

            self.writer = SummaryWriter(self.logdir, purge_step=step + 1 if step else None)

    def on_log(self, step: int, row: Row) -> None:
        """Write the row's scalars under game/."""
        if self.writer is not None:
            for k, v in row.items():
                if k != "step":
                    self.writer.add_scalar(f"game/{k}", v, step)

    def on_end(self, step: int, status: str) -> None:
        """Flush and close."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class ProgressBar(Callback):
    """A tqdm bar with ETA and the live losses, D outputs and D accuracy."""

    KEYS = (("loss_d", "D"), ("loss_g", "G"), ("d_real", "D(x)"), ("d_fake", "D(G(z))"), ("acc", "acc"),
            ("acc_a", "acc D_A"), ("acc_b", "acc D_B"), ("cycle", "cycle"), ("l1", "L1"),  # translation
            ("nll", "NLL"), ("reward", "reward"))  # SeqGAN

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and os.environ.get("GANKIT_PROGRESS", "1") != "0"
        self.bar = None

    def on_start(self, step: int, total: int) -> None:
        """Open the bar at the resumed position."""
        if self.enabled:
            from tqdm.auto import tqdm  # lazy: loaded only when a bar is shown

            self.bar = tqdm(total=total, initial=step, unit="step", dynamic_ncols=True, file=sys.stderr)

    def on_step(self, step: int) -> None:
        """Advance by one iteration."""
        if self.bar is not None:
            self.bar.update(1)

    def on_log(self, step: int, row: Row) -> None:
        """Show the latest averages."""
        if self.bar is not None:
            self.bar.set_postfix({label: f"{row[k]:.3f}" for k, label in self.KEYS if k in row}, refresh=False)

    def on_end(self, step: int, status: str) -> None:
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Every(Callback):
    """Calls `fn(step)` every `n` iterations and once at the end."""

    def __init__(self, n: int, fn: Callable[[int], None], at_end: bool = True) -> None:
        self.n, self.fn, self.at_end, self.last = n, fn, at_end, -1

    def on_step(self, step: int) -> None:
        """Fire on multiples of n."""
        if step % self.n == 0:
            self.fn(step)
            self.last = step

    def on_end(self, step: int, status: str) -> None:
        """Fire once more at the final step unless it just fired."""
        if self.at_end and status in ("done", "budget") and self.last != step:
            self.fn(step)
