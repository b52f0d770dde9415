"""The Trainer: runs the phase schedule, logs, checkpoints, and stops cleanly on signals or divergence."""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from gankit.errors import TrainingDiverged, TrainingInterrupted
from gankit.training.callbacks import Callback
from gankit.training.checkpoint import refuse_nonfinite, save_checkpoint
from gankit.training.distributed import any_rank, average_floats, broadcast_buffers, gather_objects
from gankit.training.guards import DivergenceGuard
from gankit.training.phase import Phase, Stats
from gankit.training.state import TrainState


class Trainer:
    """Schedules a game's phases over iterations; it knows no game and no model family, only phases and a state."""

    def __init__(
        self,
        state: TrainState,
        phases: Sequence[Phase],
        *,
        checkpoint_dir: str | Path | None = None,
        log_every: int = 50,
        checkpoint_every: int = 1000,
        keep_checkpoints: int = 2,
        callbacks: Sequence[Callback] = (),
        guard: DivergenceGuard | None = None,
    ) -> None:
        self.state, self.phases = state, list(phases)
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.log_every, self.checkpoint_every, self.keep = log_every, checkpoint_every, keep_checkpoints
        self.callbacks, self.guard = list(callbacks), guard or DivergenceGuard()
        self._stop_signal: int | None = None
        self._window: dict[str, torch.Tensor] = {}
        self._counts: dict[str, int] = {}
        self._t0 = time.perf_counter()
        self.status = "not started"  # then 'done', 'budget', 'interrupted', 'diverged' or 'failed'
        self.saved_step: int | None = None  # the step of the newest checkpoint known to be on disk

    # -- one iteration ---------------------------------------------------------------------------
    def run_iteration(self, log: bool) -> Stats:
        """Run every due phase once and return their merged numbers."""
        out: Stats = {}
        for phase in self.phases:
            if self.state.step % phase.every == 0:
                out.update(phase.run(log))
        for player in self.state.players.values():  # every rank ends the iteration with rank 0's buffers
            if player.ddp:
                broadcast_buffers(player.net)
        self.state.step += 1
        return out

    def _accumulate(self, stats: Stats) -> None:
        # counts are kept per key: a phase may skip iterations (e.g. D every other one)
        for k, v in stats.items():
            self._window[k] = self._window[k] + v if k in self._window else v.clone()
            self._counts[k] = self._counts.get(k, 0) + 1

    def _flush(self) -> dict[str, float]:
        row = {}
        for k, v in self._window.items():
            # values taken on the logged iteration only (gradient norms, knobs) have a count of 1
            row[k] = float(v) / self._counts[k]
        row = {"step": float(self.state.step), **average_floats(row)}  # under DDP: the mean over ranks
        row["time"] = time.perf_counter() - self._t0
        self._window, self._counts = {}, {}
        return row

    # -- checkpoints and signals -----------------------------------------------------------------
    def save(self) -> Path | None:
        """Write a checkpoint of the current state (refusing to save non-finite weights)."""
        if self.checkpoint_dir is None:
            return None
        refuse_nonfinite(self.state.weights(), self.state.step)
        extra = self.state.extra_state()
        if self.state.world_size > 1:  # every rank's own noise and RNG streams, so a DDP resume is exact
            extra["rank_streams"] = gather_objects(self.state.rank_streams())
        if self.state.rank != 0:
            return None  # only rank 0 writes
        folder = save_checkpoint(self.checkpoint_dir, self.state.step, self.state.weights(), extra, self.keep)
        self.saved_step = self.state.step
        return folder

    def _on_signal(self, signum, frame) -> None:
        self._stop_signal = signum

    def _install_signal_handlers(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    # -- the loop ------------------------------------------------------------------------------
    def fit(self, steps: int, budget_s: float | None = None) -> str:
        """Train until `steps` iterations are done or `budget_s` seconds have passed.

        Returns 'done' or 'budget' (a checkpoint is written either way); raises on interrupt/divergence.
        `status` and `saved_step` tell afterwards how it ended and what is on disk, however it ended.
        """
        s = self.state
        previous = self._install_signal_handlers()
        for cb in self.callbacks:
            cb.on_bind(s)
            cb.on_start(s.step, steps)
        status = "done"
        self.saved_step = s.step if s.step > 0 else None  # a resumed state came from a checkpoint of its step
        self._t0 = time.perf_counter()
        try:
            while s.step < steps:
                if any_rank(self._stop_signal is not None):  # all ranks stop at the same step
                    self._stop_signal = self._stop_signal or signal.SIGTERM
                    status = "interrupted"
                    self.save()
                    name = signal.Signals(self._stop_signal).name
                    raise TrainingInterrupted(f"{name} received: checkpoint written at step {s.step}")
                out_of_time = any_rank(budget_s is not None and time.perf_counter() - self._t0 >= budget_s)
                if out_of_time:
                    steps = s.step + 1  # one last iteration, so it is logged and checkpointed
                    status = "budget"
                log = (s.step + 1) % self.log_every == 0 or s.step + 1 == steps
                self._accumulate(self.run_iteration(log))
                if log:
                    row = self._flush()
                    self.guard.check(s.step, row)
                    for cb in self.callbacks:
                        cb.on_log(s.step, row)
                for cb in self.callbacks:
                    cb.on_step(s.step)
                if s.step % self.checkpoint_every == 0 or s.step == steps:
                    self._save_checked()
        except TrainingDiverged:
            status = "diverged"
            raise
        except TrainingInterrupted:
            status = "interrupted"
            raise
        except BaseException:  # a failed write (disk full), an out-of-memory error, a bug
            status = "failed"
            raise
        finally:
            self.status = status
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for cb in self.callbacks:
                cb.on_end(s.step, status)
        return status

    def _save_checked(self) -> None:
        """Save only after the window since the last log is known to be finite."""
        self._check_window()
        self.save()

    def _check_window(self) -> None:
        """Raise TrainingDiverged if a number gathered since the last log is NaN or infinite."""
        if self._window:
            pending = {k: float(v) for k, v in self._window.items()}
            bad = [k for k, v in pending.items() if not math.isfinite(v)]
            if bad:
                raise TrainingDiverged(f"{', '.join(bad)} became non-finite before step {self.state.step}")
