"""The typed configuration: nested dataclasses, validated on construction with messages that teach."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from gankit.errors import ConfigError


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ConfigError(msg)


def _choice(key: str, value: Any, valid: list[str] | tuple[str, ...]) -> None:
    _check(value in valid, f"{key}={value!r} is not valid; choose one of: {', '.join(valid)}")


@dataclass
class DataConfig:
    """Which dataset to train on and how to shape it."""

    name: str = "ring8"
    path: str | None = None
    size: int | None = None
    channels: int | None = None
    n: int | None = None
    download: bool = False
    split: str = "train"

    def __post_init__(self) -> None:
        from gankit.data.registry import dataset_names

        _choice("data.name", self.name, dataset_names())
        _choice("data.split", self.split, ("train", "test"))
        _check(self.size is None or self.size >= 4, f"data.size must be ≥ 4 pixels, got {self.size}")
        _check(self.channels in (None, 1, 3), f"data.channels must be 1 (gray) or 3 (RGB), got {self.channels}")
        _check(self.n is None or self.n > 0, f"data.n must be positive, got {self.n}")


@dataclass
class ModelConfig:
    """The generator/discriminator family and its sizes."""

    arch: str = "mlp"
    z_dim: int = 64
    g_width: int = 128
    d_width: int = 128
    g_depth: int = 3
    d_depth: int = 3

    def __post_init__(self) -> None:
        from gankit.models.registry import model_names

        _choice("model.arch", self.arch, model_names())
        for key in ("z_dim", "g_width", "d_width", "g_depth", "d_depth"):
            _check(getattr(self, key) >= 1, f"model.{key} must be ≥ 1, got {getattr(self, key)}")


@dataclass
class LossConfig:
    """The adversarial objective (see gankit.losses.adversarial for every formula)."""

    objective: str = "nonsaturating"

    def __post_init__(self) -> None:
        from gankit.losses.adversarial import objective_names

        _choice("loss.objective", self.objective, objective_names())


@dataclass
class TrainConfig:
    """The schedule and optimisers of the game."""

    steps: int = 2000
    batch_size: int = 256
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    beta1: float = 0.5
    beta2: float = 0.999
    d_steps: int = 1
    ema_decay: float = 0.999
    ema_start: int = 0
    precision: str = "fp32"
    channels_last: bool = False
    reuse_fake: bool = True
    budget_minutes: float | None = None

    def __post_init__(self) -> None:
        _check(self.budget_minutes is None or self.budget_minutes > 0,
               f"train.budget_minutes must be > 0 (or null for no limit), got {self.budget_minutes}")
        _check(self.steps >= 0, f"train.steps must be ≥ 0, got {self.steps}")
        _check(self.batch_size >= 1, f"train.batch_size must be ≥ 1, got {self.batch_size}")
        for key in ("lr_g", "lr_d"):
            _check(getattr(self, key) > 0, f"train.{key} must be > 0, got {getattr(self, key)}")
        for key in ("beta1", "beta2"):
            _check(0 <= getattr(self, key) < 1, f"train.{key} must be in [0, 1), got {getattr(self, key)}")
        _check(self.d_steps >= 1, f"train.d_steps (D updates per G update) must be ≥ 1, got {self.d_steps}")
        _check(0 <= self.ema_decay < 1, f"train.ema_decay must be in [0, 1) (0 turns EMA off), got {self.ema_decay}")
        _check(self.ema_start >= 0, f"train.ema_start must be ≥ 0, got {self.ema_start}")
        _choice("train.precision", self.precision, ("fp32", "bf16"))


@dataclass
class LogConfig:
    """What a run writes while it trains, and how often (in steps = G updates)."""

    every: int = 50
    sample_every: int = 500
    checkpoint_every: int = 1000
    keep_checkpoints: int = 2
    n_samples: int = 64
    progress: bool = True
    tensorboard: bool = True
    report: str = "md"

    def __post_init__(self) -> None:
        for key in ("every", "sample_every", "checkpoint_every", "keep_checkpoints", "n_samples"):
            _check(getattr(self, key) >= 1, f"log.{key} must be ≥ 1, got {getattr(self, key)}")
        _choice("log.report", self.report, ("md", "html", "none"))


@dataclass
class GuardConfig:
    """When to stop a game that has failed, keeping the last good checkpoint."""

    max_loss: float = 1e4
    d_win_steps: int = 0

    def __post_init__(self) -> None:
        _check(self.max_loss > 0, f"guard.max_loss must be > 0, got {self.max_loss}")
        _check(self.d_win_steps >= 0, f"guard.d_win_steps must be ≥ 0 (0 = off), got {self.d_win_steps}")


@dataclass
class Config:
    """A whole experiment: data, networks, objective, schedule, logging and guards."""

    name: str = "custom"
    description: str = ""
    seed: int = 0
    device: str = "cpu"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    log: LogConfig = field(default_factory=LogConfig)
    guard: GuardConfig = field(default_factory=GuardConfig)

    def __post_init__(self) -> None:
        _check(self.seed >= 0, f"seed must be ≥ 0, got {self.seed}")
        dev = self.device.split(":")[0]
        _choice("device", dev, ("auto", "cpu", "cuda", "mps"))
        if self.model.arch == "dcgan" and self.data.name in ("ring8", "grid25"):
            raise ConfigError("model.arch=dcgan needs an image dataset; 2-D points take model.arch=mlp")

    def to_dict(self) -> dict[str, Any]:
        """The config as plain nested dicts (JSON/YAML-ready)."""
        return asdict(self)


SECTIONS = {f.name: f.type for f in fields(Config)}


def valid_keys() -> list[str]:
    """Every dotted key a config accepts, e.g. 'train.lr_g'."""
    from gankit.config.io import _dataclass_of

    keys: list[str] = []
    for f in fields(Config):
        sub = _dataclass_of(Config, f.name)
        if sub is None:
            keys.append(f.name)
        else:
            keys.extend(f"{f.name}.{g.name}" for g in fields(sub))
    return keys
