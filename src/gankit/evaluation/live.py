"""Evaluation during training: score the live sampling network every n steps and keep the best checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from gankit.errors import ConfigError
from gankit.evaluation.card import evaluate
from gankit.evaluation.setup import EvalSetup
from gankit.metrics.registry import badness, group_of
from gankit.models.protocols import num_classes
from gankit.training.callbacks import Callback
from gankit.training.checkpoint import save_checkpoint
from gankit.training.state import TrainState
from gankit.utils import run_dir as rd
from gankit.utils.atomic import write_json_atomic
from gankit.utils.seeding import make_generator

NOT_LIVE = "evaluation during training scores the generator alone; {what} applies to a finished run ({how})"


class LiveRun:
    """What `evaluate` needs of a run, taken from the training state instead of a checkpoint."""

    sample_reject = sample_jacobian_reject = 0.0  # during training the generator is scored as it is
    precision = "fp32"

    def __init__(self, state: TrainState, kind: str, z_dim: int, path: Path, data_name: str = "") -> None:
        self.state, self.kind, self.z_dim, self.path, self.data_name = state, kind, z_dim, path, data_name

    @property
    def step(self) -> int:
        """Iterations done."""
        return self.state.step

    @property
    def num_classes(self) -> int:
        """Classes the generator draws from (0 when unconditional)."""
        return num_classes(self.state.sampler)

    @property
    def class_names(self) -> list[str]:
        """The dataset's class names (from the run folder)."""
        return list(json.loads((self.path / rd.DATA_INFO).read_text())["class_names"])

    def mixture_members(self) -> list:
        """No members: during training the generator is scored alone."""
        return []

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, reject: float | None = None, mixture: bool | None = None,
               jacobian_reject: float | None = None) -> torch.Tensor:
        """n samples from the sampling network in eval mode (its train/eval mode is restored)."""
        for flag, what, how in ((reject, "discriminator rejection", "gankit eval RUN --reject q"),
                                (mixture, "the snapshot mixture", "sample.mixture"),
                                (jacobian_reject, "Jacobian rejection", "gankit eval RUN --jacobian-reject q")):
            if flag:
                raise ConfigError(NOT_LIVE.format(what=what, how=how))
        net = self.state.sampler
        device = next(net.parameters()).device
        was_training = net.training
        net.eval()
        try:
            z = torch.randn(n, self.z_dim, generator=make_generator(seed, "cpu")).to(device)
            k = num_classes(net)
            c = (torch.arange(n) % k).to(device) if k else None  # every class in turn, as Run.sample does
            parts = [net(z[i : i + 1024]) if c is None else net(z[i : i + 1024], c[i : i + 1024])
                     for i in range(0, n, 1024)]
            return torch.cat([p.float().cpu() for p in parts])
        finally:
            net.train(was_training)


class PeriodicEval(Callback):
    """A trainer callback: every `every` steps score the sampling network and keep the best checkpoint.

    Reference features are extracted once; each evaluation costs n generated samples through the
    extractor plus one metric. Results go to eval.csv; the best weights to checkpoints/best/ with best.json.
    """

    def __init__(self, live: LiveRun, setup: EvalSetup, every: int, n: int, metric: str, seed: int = 0) -> None:
        self.live, self.setup, self.every, self.n, self.metric, self.seed = live, setup, every, n, metric, seed
        self.best: float | None = None
        best = self.root / "best.json"
        if best.is_file():
            self.best = badness(metric, json.loads(best.read_text())["value"])

    @property
    def root(self) -> Path:
        """checkpoints/best/ of the run."""
        return self.live.path / rd.CHECKPOINTS / "best"

    def on_step(self, step: int) -> None:
        """Evaluate on multiples of `every`."""
        if step % self.every:
            return
        card = evaluate(self.live, n=self.n, metrics=group_of(self.metric), seed=self.seed, setup=self.setup)
        value = card["metrics"][self.metric]["value"]
        with (self.live.path / "eval.csv").open("a") as f:
            if f.tell() == 0:
                f.write(f"step,{self.metric},seconds\n")
            f.write(f"{step},{value},{card['seconds']}\n")
        score = badness(self.metric, value)
        if self.best is None or score < self.best:
            self.best = score
            self._save_best(step, value)

    def _save_best(self, step: int, value: float) -> None:
        s = self.live.state
        name = f"{s.ema_of}_ema" if s.ema is not None else s.ema_of
        save_checkpoint(self.root, step, {name: s.sampler.state_dict()}, {"step": step}, keep=1)
        write_json_atomic(self.root / "best.json", {"step": step, "metric": self.metric, "value": value})
