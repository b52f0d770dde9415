"""Config -> data, game, Trainer: the composition of a training run, one step per function.

`api.train` is these steps in order; tests and benchmarks call them one at a time. A game comes
from `games.registry` by the config's `game` key, so a new game needs no change here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from gankit.config.io import incompatible_changes, read_config, resolve_config, save_config
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset, different_data
from gankit.errors import CheckpointError, ConfigError
from gankit.games.base import Game
from gankit.games.registry import game_spec
from gankit.run import load_data
from gankit.sampling.mixture import snapshot_steps
from gankit.training import callbacks as cbs
from gankit.training.checkpoint import (
    latest_checkpoint,
    load_extra,
    load_weights,
    remove_partial_writes,
    weights_do_not_fit,
)
from gankit.training.distributed import DistContext, broadcast_object, init_distributed
from gankit.training.guards import DivergenceGuard
from gankit.training.loop import Trainer
from gankit.training.precision import choose_precision
from gankit.training.run_lock import RunLock
from gankit.training.snapshots import SnapshotKeeper
from gankit.utils import run_dir as rd
from gankit.utils.atomic import write_json_atomic
from gankit.utils.device import resolve_device

__all__ = ["build_game", "build_trainer", "check_same_data", "discard_run_folder", "hold_run", "join", "load_data",
           "new_run_folder", "restore", "resume_checkpoint", "resume_config", "settle_precision"]


def join(cfg: Config) -> tuple[DistContext, torch.device]:
    """This process's place in a torchrun job (or a single process) and its device; an unknown game is refused first."""
    game_spec(cfg.game)
    try:
        device = resolve_device(cfg.device)
    except RuntimeError as e:
        raise ConfigError(str(e)) from None
    return init_distributed(device)


def settle_precision(cfg: Config, device: torch.device, dist: DistContext | None = None) -> Config:
    """The config with train.precision=auto replaced by what this device runs faster (rank 0's choice on every rank)."""
    if cfg.train.precision != "auto":
        return cfg
    main = dist is None or dist.is_main
    choice = broadcast_object(choose_precision(device) if main else None)
    return resolve_config(cfg, {"train.precision": choice})


def build_game(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None,
               run_path: Path | None = None) -> Game:
    """The game the config names, with its players on a fresh TrainState (train.precision=auto settled first)."""
    return game_spec(cfg.game).build(settle_precision(cfg, device, dist), data, device, dist, run_path)


def new_run_folder(cfg: Config, out: str | Path | None, data: ArrayDataset, ctx: DistContext) -> Path:
    """Rank 0 makes a new numbered run folder with the resolved config and the data facts; every rank gets its path."""
    path = None
    if ctx.is_main:
        path = rd.new_run_dir(out or Path("runs") / cfg.name)
        save_config(cfg, path / rd.CONFIG)
        write_json_atomic(path / rd.DATA_INFO, {**data.info(), "fingerprint": data.fingerprint()})
        rd.new_run_id(path)
    return Path(broadcast_object(str(path)))


def discard_run_folder(path: Path, ctx: DistContext) -> None:
    """Remove a run folder that training never got going in (a build error, an early Ctrl-C), so a retry reuses its name."""
    if ctx.is_main:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def hold_run(path: Path, ctx: DistContext) -> Iterator[None]:
    """Rank 0 holds the run's lock (one writer per run folder) and first clears what interrupted writes left."""
    if not ctx.is_main:
        yield
        return
    with RunLock(path):
        for folder in (path / rd.CHECKPOINTS, path / rd.CHECKPOINTS / "best", path / rd.SNAPSHOTS):
            remove_partial_writes(folder)
        for stale in (p for d in (path, path / rd.SAMPLES, path / rd.PLOTS) if d.is_dir() for p in d.glob(".*.tmp")):
            stale.unlink(missing_ok=True)  # an atomic write's temporary file, left by a killed process
        yield


def check_same_data(path: Path, data: ArrayDataset) -> None:
    """Refuse to resume `path` on data other than its own (data.path may point to where the data moved)."""
    saved = json.loads((path / rd.DATA_INFO).read_text())
    problem = different_data(saved, data)
    if problem:
        raise CheckpointError(f"cannot resume {path}: the data has {problem};\n"
                              "point data.path (--data-path) at the data the run was trained on")


def resume_config(path: Path, source: Config | str | None, overrides: Sequence[str]) -> Config:
    """The config to resume `path` with: the saved one (or `source`) with overrides, refused if it changes the game."""
    if not (path / rd.CONFIG).is_file():
        raise CheckpointError(f"cannot resume {path}: it is not a run folder ({rd.CONFIG} is missing)")
    saved = read_config(path / rd.CONFIG)
    cfg = resolve_config(source if source is not None else saved, overrides)
    changes = incompatible_changes(saved, cfg)
    if changes:
        raise CheckpointError(f"cannot resume {path}: {'; '.join(changes)} would change the game.\n"
                              "Only train.steps/budget_minutes/compile, device, data.path, log.*, eval.*, sample.* and "
                              "guard.* may change. Start a new run instead")
    return cfg


def resume_checkpoint(path: Path, cfg: Config, ctx: DistContext) -> tuple[Path, dict[str, Any]]:
    """The latest intact checkpoint of `path` and its saved state.

    Refused when train.steps is below the checkpoint's step, or the number of processes changed.
    """
    ckpt = latest_checkpoint(path / rd.CHECKPOINTS)
    extra = load_extra(ckpt)
    done = int(extra.get("step", 0))
    if cfg.train.steps < done:
        raise CheckpointError(f"cannot resume {path}: it is at step {done}, beyond train.steps={cfg.train.steps};\n"
                              f"give train.steps above {done} to train on (--set train.steps=N)")
    saved_world = int(extra.get("world_size", 1))
    if saved_world != ctx.world_size and not cfg.train.allow_world_change:
        raise CheckpointError(
            f"cannot resume {path}: it was trained by {saved_world} process(es), this is {ctx.world_size}, and each "
            f"rank's noise stream is saved;\nresume with torchrun --nproc_per_node {saved_world}, or accept new "
            "streams with --set train.allow_world_change=true")
    return ckpt, extra


def restore(game: Game, ckpt: Path, extra: dict[str, Any], device: torch.device) -> None:
    """Load a checkpoint into the game's state: weights, optimisers, RNGs, step and the game's components."""
    state = game.state
    try:
        state.load_weights({n: load_weights(ckpt, n, device) for n in state.weights()})
    except RuntimeError as e:  # load_state_dict's size and key mismatches
        raise weights_do_not_fit(ckpt, e) from None
    state.load_extra_state(extra)


def build_trainer(cfg: Config, game: Game, path: Path, watchers: Sequence[cbs.Callback] = ()) -> Trainer:
    """A Trainer over the game's phases: logs, then the game's own callbacks, then `watchers`, then snapshots.

    Rank 0 logs, runs `watchers` (pictures, evaluation, the user's) and keeps the mixture's snapshots;
    the other ranks write nothing and run only the game's callbacks (which decide from averaged numbers).
    """
    state = game.state
    callbacks = game.callbacks()
    if state.rank == 0:
        logs: list[cbs.Callback] = [cbs.CSVLogger(path / rd.METRICS), cbs.StatusFile(path / rd.STATUS),
                                     cbs.ProgressBar(cfg.log.progress)]
        if cfg.log.tensorboard:
            logs.append(cbs.TensorBoardLogger(path / rd.TENSORBOARD))
        steps = snapshot_steps(cfg.train.steps, cfg.sample.mixture, cfg.sample.mixture_every)
        keeper = [SnapshotKeeper(state, path / rd.SNAPSHOTS, steps)] if steps else []
        callbacks = logs + callbacks + list(watchers) + keeper
    return Trainer(
        state,
        game.schedule(),
        checkpoint_dir=path / rd.CHECKPOINTS,
        log_every=cfg.log.every,
        checkpoint_every=cfg.log.checkpoint_every,
        keep_checkpoints=cfg.log.keep_checkpoints,
        callbacks=callbacks,
        guard=DivergenceGuard(cfg.guard.max_loss, cfg.guard.d_win_steps),
    )
