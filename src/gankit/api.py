"""The Python API: train a config, reopen a run folder, sample from it.

    import gankit
    run = gankit.train("ring8", out="runs/ring8", overrides={"train.steps": 2000})
    points = run.sample(2500, seed=0)          # tensor in data coordinates
    gankit.load_run("runs/ring8").save_samples("grid.png", n=64)
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gankit import build
from gankit.config.io import resolve_config, save_config
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.errors import GankitWarning
from gankit.evaluation import LiveRun, PeriodicEval, setup_for
from gankit.games.base import Game
from gankit.games.registry import game_spec
from gankit.model_card import write_model_card
from gankit.reporting import SampleRenderer, write_report
from gankit.run import Run, load_run, load_run_data
from gankit.training.callbacks import Callback, Every
from gankit.training.distributed import barrier
from gankit.utils import run_dir as rd
from gankit.utils.seeding import derive_seed

__all__ = ["Run", "as_config", "load_run", "train"]

Overrides = list[str] | Mapping[str, Any] | None
as_config = resolve_config  # a Config from a Config, a preset name or a file, with overrides


def train(source: Config | str | None = None, out: str | Path | None = None, overrides: Overrides = None,
          resume: str | Path | None = None, callbacks: Sequence[Callback] = ()) -> Run:
    """Train a preset/config into a new run folder (or continue `resume`) and return the Run.

    `callbacks` are extra `gankit.training.callbacks.Callback` objects (e.g. your own logger); under
    torchrun they run on rank 0 only. One process trains a run folder at a time (RUN/train.lock).
    """
    if resume is not None:
        return _resume(Path(resume), source, overrides, callbacks)
    cfg = resolve_config(source, overrides)
    ctx, device = build.join(cfg)
    cfg = build.settle_precision(cfg, device, ctx)  # config.json records the choice, so a resume keeps it
    data = build.load_data(cfg)
    path = build.new_run_folder(cfg, out, data, ctx)
    game = None
    try:
        with build.hold_run(path, ctx):
            game = build.build_game(cfg, data, device, ctx, path)
            return _fit(cfg, data, game, path, callbacks)
    except BaseException:
        if (game is None or game.state.step == 0) and not (path / rd.CHECKPOINTS).exists():
            build.discard_run_folder(path, ctx)  # nothing was trained: a corrected retry gets the same name
        raise


def _resume(path: Path, source: Config | str | None, overrides: Overrides, callbacks: Sequence[Callback]) -> Run:
    """Continue the run in `path` from its newest intact checkpoint; a finished run is left as it is."""
    cfg = build.resume_config(path, source, overrides)
    ctx, device = build.join(cfg)
    with build.hold_run(path, ctx):
        ckpt, extra = build.resume_checkpoint(path, cfg, ctx)
        if extra.get("step") == cfg.train.steps:
            warnings.warn(f"{path} has already finished its {cfg.train.steps} steps; to train on, "
                          f"give more: --set train.steps=N", GankitWarning, stacklevel=3)
            run = Run(path)
            run.status = "done"
            return run
        data = load_run_data(path, cfg)
        build.check_same_data(path, data)
        game = build.build_game(cfg, data, device, ctx, path)
        build.restore(game, ckpt, extra, device)
        if ctx.is_main:
            save_config(cfg, path / rd.CONFIG)
        return _fit(cfg, data, game, path, callbacks)


def _watchers(cfg: Config, data: ArrayDataset, game: Game, path: Path,
              extra: Sequence[Callback]) -> list[Callback]:
    """Rank 0's watchers of the game: pictures at intervals, evaluation during training, the user's callbacks."""
    state = game.state
    spec = game_spec(cfg.game)
    pictures = spec.pictures or SampleRenderer  # a game's own figure, else grids of samples from fixed noise
    renderer = pictures(state, data, path / rd.SAMPLES, cfg.log.n_samples, derive_seed(cfg.seed, 2))
    watchers: list[Callback] = [Every(cfg.log.sample_every, renderer)]
    if cfg.eval.every > 0:
        live = LiveRun(state, data.kind, cfg.model.z_dim, path, cfg.data.name)
        setup = setup_for(Run(path), cfg.eval.features)
        watchers.append(PeriodicEval(live, setup, cfg.eval.every, cfg.eval.n, cfg.eval.metric, cfg.seed))
    return watchers + list(extra)


def _write_model_card(path: Path) -> None:
    """MODEL_CARD.md beside the report; like the report, it never fails the run."""
    try:
        write_model_card(path)
    except OSError as e:
        print(f"warning: model card not written: {e}", file=sys.stderr)


def _fit(cfg: Config, data: ArrayDataset, game: Game, path: Path, extra: Sequence[Callback]) -> Run:
    state = game.state
    watchers = _watchers(cfg, data, game, path, extra) if state.rank == 0 else []
    trainer = build.build_trainer(cfg, game, path, watchers)
    try:
        budget = cfg.train.budget_minutes * 60 if cfg.train.budget_minutes else None
        status = trainer.fit(cfg.train.steps, budget)
    finally:
        if state.rank == 0 and state.step > 0 and (path / rd.METRICS).exists():
            write_report(path, cfg, data, trainer.status, state.step)
            _write_model_card(path)
    barrier()  # the other ranks return once rank 0 has written the final checkpoint and report
    run = Run(path)
    run.status = status
    return run
