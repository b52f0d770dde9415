"""The Python API: train a config, reopen a run folder, sample from it.

    import gankit
    run = gankit.train("ring8", out="runs/ring8", overrides={"train.steps": 2000})
    points = run.sample(2500, seed=0)          # tensor in data coordinates
    gankit.load_run("runs/ring8").save_samples("grid.png", n=64)
"""

from __future__ import annotations

import copy
import json
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

from gankit import run_dir as rd
from gankit.augment import AdaptiveAugment, ada_augment, add_instance_noise, diff_augment, instance_noise_std
from gankit.config.io import incompatible_changes, load_config, read_config, save_config
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset
from gankit.data.registry import load_dataset
from gankit.errors import CheckpointError, ConfigError
from gankit.losses.adversarial import get_objective
from gankit.mixture import snapshot_steps
from gankit.models.registry import build_models
from gankit.training import callbacks as cbs
from gankit.training.batches import EpochBatches
from gankit.training.checkpoint import latest_checkpoint, load_extra, load_weights
from gankit.training.distributed import DistContext, barrier, broadcast_object, init_distributed, wrap_ddp
from gankit.training.ema import EMA
from gankit.training.guards import DivergenceGuard
from gankit.training.loop import Trainer
from gankit.training.balance import Balancer
from gankit.training.phases import GameOptions, GamePhases, Regularizers, lr_multiplier
from gankit.training.state import TrainState
from gankit.utils.atomic import write_json_atomic
from gankit.utils.device import resolve_device
from gankit.utils.seeding import derive_seed, make_generator, seed_everything


ClassSpec = str | int | Sequence[str | int] | None  # a class name or index, one per sample, or None


def as_config(source: Config | str | None, overrides: list[str] | Mapping[str, Any] | None = None) -> Config:
    """A Config from a Config, a preset name or a config file path, with overrides applied."""
    if isinstance(source, Config):
        if not overrides:
            return source
        from gankit.config.io import _deep_merge, from_dict, parse_overrides

        return from_dict(_deep_merge(source.to_dict(), parse_overrides(overrides)))
    return load_config(source, overrides)


def load_data(cfg: Config) -> ArrayDataset:
    """Load the dataset a config names."""
    d = cfg.data
    return load_dataset(
        d.name, path=d.path, size=d.size, channels=d.channels, n=d.n, seed=cfg.seed, download=d.download, split=d.split,
        upscale=d.upscale, cache=d.cache,
    )


def build_networks(cfg: Config, shape: tuple[int, ...], num_classes: int = 0) -> tuple[torch.nn.Module, torch.nn.Module]:
    """Build (G, D) for samples of `shape` (and `num_classes` classes) from the model section of a config."""
    m = cfg.model
    cond = {"num_classes": num_classes, "cond_g": m.cond_g, "cond_d": m.cond_d, "embed_dim": m.embed_dim}
    try:
        return build_models(
            m.arch, shape, spectral_norm=m.spectral_norm, z_dim=m.z_dim, g_width=m.g_width, d_width=m.d_width,
            g_depth=m.g_depth, d_depth=m.d_depth, pack=m.pack, minibatch_std=m.minibatch_std,
            **(cond if m.conditional else {}),
        )
    except ValueError as e:
        raise ConfigError(str(e)) from None


def lazy_regularisation_factor(cfg: Config) -> float:
    """c = k/(k+1) for penalties applied every k D steps, else 1 (Karras et al. 2020, StyleGAN2 appendix B).

    D's optimiser then uses lr·c and betas**c, so that its effective momentum per D update is unchanged.
    """
    k = cfg.loss.reg_every
    return k / (k + 1) if cfg.loss.any_penalty and k > 1 else 1.0


def build_state(cfg: Config, data: ArrayDataset, device: torch.device, dist: DistContext | None = None) -> TrainState:
    """Networks, EMA, optimisers (TTUR: one learning rate per player), RNGs and batches for a fresh run.

    Under DDP (`dist` with several processes) every rank builds the same networks from the seed,
    then draws its own noise and global random streams, takes its slice of each global batch, and
    trains through DDP wrappers.
    """
    dist = dist or DistContext()
    seed_everything(cfg.seed)
    G, D = build_networks(cfg, data.sample_shape, len(data.class_names))
    G, D = G.to(device), D.to(device)
    if cfg.train.channels_last and data.kind == "image":
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    if dist.rank > 0:  # rank 0 keeps the streams of a single-process run
        seed_everything(derive_seed(cfg.seed, 3, dist.rank))
    t, c = cfg.train, lazy_regularisation_factor(cfg)
    cg = cfg.loss.pl_every / (cfg.loss.pl_every + 1) if cfg.loss.pl > 0 and cfg.loss.pl_every > 1 else 1.0
    try:
        batches = EpochBatches(data.x, data.y, t.batch_size, cfg.seed, data.to_model_space, device,
                               xflip=cfg.data.xflip, rank=dist.rank, world_size=dist.world_size)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    z_seed = derive_seed(cfg.seed, 1) if dist.rank == 0 else derive_seed(cfg.seed, 1, dist.rank)
    state = TrainState(
        G=G,
        D=D,
        opt_g=torch.optim.Adam(G.parameters(), lr=t.lr_g * cg, betas=(t.beta1**cg, t.beta2**cg)),
        opt_d=torch.optim.Adam(D.parameters(), lr=t.lr_d * c, betas=(t.beta1**c, t.beta2**c)),
        z_gen=make_generator(z_seed, device),
        batches=batches,
        ema=EMA(G, t.ema_decay, t.ema_start) if t.ema_decay > 0 else None,
        rank=dist.rank,
        world_size=dist.world_size,
    )
    if dist.enabled:
        state.G_train, state.D_train = wrap_ddp(G, device), wrap_ddp(D, device)
    if t.compile:  # compiled wrappers share the weights; gradient penalties run uncompiled (double backward)
        state.G_train = torch.compile(G if state.G_train is None else state.G_train)
        state.D_train = torch.compile(D if state.D_train is None else state.D_train)
    if t.precision == "fp16":
        if device.type != "cuda":
            raise ConfigError(f"train.precision=fp16 needs a CUDA device (this run is on {device.type}); "
                              "fp16 is unusably slow on CPUs, use train.precision=bf16 there")
        state.components["scaler_g"] = torch.amp.GradScaler("cuda")
        state.components["scaler_d"] = torch.amp.GradScaler("cuda")
    if cfg.loss.pl > 0:
        from gankit.training.phases import PathLengthState

        state.components["pl"] = PathLengthState()
    a = cfg.augment
    if a.kind == "ada":
        state.components["ada"] = AdaptiveAugment(a.ada_target, a.ada_speed_kimg, a.ada_interval, p_init=a.p)
    return state


def game_options(cfg: Config, state: TrainState) -> GameOptions:
    """How each iteration is played, from the loss, augment, model and train sections."""
    lo, a, t = cfg.loss, cfg.augment, cfg.train
    augment = None
    if a.kind == "diffaugment":
        augment = partial(diff_augment, policy=a.policy)
    elif a.kind == "ada":
        ada = state.components["ada"]

        def augment(x: torch.Tensor) -> torch.Tensor:
            return ada_augment(x, ada.p)

    if a.instance_noise > 0:
        augment = _with_instance_noise(augment, state, a.instance_noise, a.instance_noise_until, t.steps)
    return GameOptions(
        z_dim=cfg.model.z_dim, batch_size=t.batch_size // state.world_size, d_steps=t.d_steps, precision=t.precision,
        channels_last=t.channels_last, reuse_fake=t.reuse_fake, pack=cfg.model.pack, clip=lo.clip_value,
        reg=Regularizers(r1=lo.r1, r2=lo.r2, roth=lo.roth, gp=lo.gp_weight, gp_center=lo.gp_center,
                         gp_one_sided=lo.gp_mode == "one-sided", every=lo.reg_every),
        augment=augment, adapt_p=a.kind == "ada" and cfg.balance.mode != "augment",
        unroll_steps=t.unroll_steps, unroll_lr=t.unroll_lr, conditional=cfg.model.conditional,
        aux_weight=lo.aux_weight, aux_fake_in_d=lo.aux_fake_in_d, style_mixing=t.style_mixing,
        pl_weight=lo.pl, pl_every=lo.pl_every, pl_decay=lo.pl_decay, pl_batch_shrink=lo.pl_batch_shrink,
        lr_schedule=None if t.lr_schedule == "constant" else partial(
            lr_multiplier, t.lr_schedule, total=t.steps, decay_start=t.decay_start, end=t.lr_end),
    )


def _with_instance_noise(augment: Callable[[torch.Tensor], torch.Tensor] | None, state: TrainState, sigma0: float,
                         until: float, total_steps: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """`augment` (or nothing) followed by instance noise whose σ follows the run's step."""

    def view(x: torch.Tensor) -> torch.Tensor:
        x = augment(x) if augment is not None else x
        return add_instance_noise(x, instance_noise_std(state.step, total_steps, sigma0, until))

    return view


def build_game(cfg: Config, data: ArrayDataset, device: torch.device, run_path: Path | None = None,
               dist: DistContext | None = None):
    """TrainState, its phases and (when asked for) the balancer, wired together; returns (state, phases, balancer)."""
    state = build_state(cfg, data, device, dist)
    phases = GamePhases(state, get_objective(cfg.loss.objective), game_options(cfg, state))
    balancer = None
    b = cfg.balance
    if b.mode != "off":
        balancer = Balancer(
            b.mode, phases, state.components.get("ada"), b.acc_low, b.acc_high, b.every, b.factor,
            b.max_d_steps, b.max_lr_factor, b.p_step,
            run_path / rd.BALANCE_LOG if run_path and state.rank == 0 else None,
        )
        state.components["balance"] = balancer
    return state, phases, balancer


class Run:
    """A run folder: its config, its data facts and its latest weights; sampling needs nothing else."""

    def __init__(self, path: str | Path, device: str | torch.device = "cpu", checkpoint: str = "latest") -> None:
        self.path = Path(path)
        if checkpoint not in ("latest", "best"):
            raise ConfigError(f"checkpoint must be 'latest' or 'best', got {checkpoint!r}")
        self.checkpoint = checkpoint
        if not (self.path / rd.CONFIG).is_file():
            raise CheckpointError(f"{self.path} is not a gankit run folder: {rd.CONFIG} is missing")
        self.config = read_config(self.path / rd.CONFIG)
        self.info: dict[str, Any] = json.loads((self.path / rd.DATA_INFO).read_text())
        self.device = torch.device(device)
        self._G: torch.nn.Module | None = None
        self._D: torch.nn.Module | None = None
        self._real_scores: dict[int, torch.Tensor] = {}  # this D's scores of the real subset of each size
        self._real_subsets: dict[int, tuple[torch.Tensor, torch.Tensor | None]] = {}  # shared with mixture members
        self._reference_norms: dict[tuple, torch.Tensor] = {}  # this G's Jacobian norms on the reference latents
        self._fixed_dir: Path | None = None  # a mixture member: one snapshot folder
        self._members: list[Run] | None = None
        self.status: str | None = None

    @property
    def kind(self) -> str:
        """'image' or 'points'."""
        return self.info["kind"]

    @property
    def class_names(self) -> list[str]:
        """The dataset's class names."""
        return list(self.info["class_names"])

    def _checkpoint_dir(self) -> Path:
        if self._fixed_dir is not None:
            return self._fixed_dir
        root = self.path / rd.CHECKPOINTS
        return latest_checkpoint(root / "best" if self.checkpoint == "best" else root)

    @property
    def step(self) -> int:
        """The step of the checkpoint this Run samples from."""
        return int(self._checkpoint_dir().name.removeprefix("step_"))

    def generator(self) -> torch.nn.Module:
        """The sampling generator (the EMA copy when the run kept one), in eval mode."""
        if self._G is None:
            ckpt = self._checkpoint_dir()
            G, _ = build_networks(self.config, tuple(self.info["shape"]), len(self.class_names))
            name = "G_ema" if (ckpt / "G_ema.safetensors").is_file() else "G"
            G.load_state_dict(load_weights(ckpt, name, self.device))
            self._G = G.to(self.device).eval().requires_grad_(False)
        return self._G

    @property
    def conditional(self) -> bool:
        """Whether the generator takes a class."""
        return self.config.model.conditional

    @property
    def num_classes(self) -> int:
        """Classes the generator can be asked for (0 when unconditional)."""
        return len(self.class_names) if self.conditional else 0

    @property
    def z_dim(self) -> int:
        """Size of the noise vector."""
        return self.config.model.z_dim

    def class_index(self, name_or_index: str | int) -> int:
        """A class given by name (case-insensitive) or index -> its index; unknown ones list the valid names."""
        from gankit.latent import resolve_class

        return resolve_class(name_or_index, self.class_names)

    def labels(self, n: int, classes: ClassSpec = None) -> torch.Tensor | None:
        """The class labels of n samples: None for an unconditional run; by default every class in turn."""
        if not self.conditional:
            if classes is not None:
                raise ConfigError(f"{self.path} is an unconditional run (model.cond_g=none): it cannot be asked for a "
                                  "class. Train a conditional preset such as fashion-cdcgan to choose classes.")
            return None
        if classes is None:
            return torch.arange(n) % len(self.class_names)
        if isinstance(classes, (str, int)):
            return torch.full((n,), self.class_index(classes), dtype=torch.long)
        idx = [self.class_index(c) for c in classes]
        if len(idx) != n:
            raise ConfigError(f"{len(idx)} classes given for {n} samples; give one class, or one per sample")
        return torch.tensor(idx, dtype=torch.long)

    def noise(self, n: int, seed: int = 0) -> torch.Tensor:
        """The noise vectors z that `sample(n, seed)` uses (standard normal, reproducible by seed)."""
        return torch.randn(n, self.z_dim, generator=make_generator(seed, "cpu"))

    @torch.no_grad()
    def generate(self, z: torch.Tensor, c: torch.Tensor | None = None, batch_size: int = 1024,
                 **kwargs) -> torch.Tensor:
        """G(z, c) in model space for given noise and class labels or weights (None: unconditional).

        Extra keyword arguments go to the generator (e.g. truncation_psi for StyleGAN2).
        """
        G = self.generator()
        z = z.to(self.device)
        if self.conditional and c is None:
            raise ConfigError("this run is conditional: give class labels or class-weight vectors")
        parts = []
        for i in range(0, len(z), batch_size):
            args = (z[i : i + batch_size],) if not self.conditional else (z[i : i + batch_size],
                                                                         c[i : i + batch_size].to(self.device))
            parts.append(G(*args, **kwargs).float().cpu())
        return torch.cat(parts)

    @property
    def sample_reject(self) -> float:
        """The rejection fraction `sample` uses when not told otherwise (config sample.reject)."""
        return self.config.sample.reject

    def rejection_thresholds(self, q: float, n_real: int = 10_000) -> torch.Tensor:
        """τ per class (one when unconditional): the q-quantile of D's scores on up to n_real training samples.

        Needs the run's dataset (as its config names it); the samples are a fixed random subset.
        """
        from gankit.rejection import data_thresholds

        if n_real not in self._real_subsets:
            data = load_data(self.config)
            idx = torch.randperm(len(data), generator=make_generator(0, "cpu"))[:n_real]
            self._real_subsets[n_real] = (data.to_model_space(data.x[idx]), data.y[idx] if self.conditional else None)
        x, y = self._real_subsets[n_real]
        if n_real not in self._real_scores:
            self._real_scores[n_real] = self.realism(x, y)
        return data_thresholds(self._real_scores[n_real], q, y, self.num_classes)

    @property
    def sample_jacobian_reject(self) -> float:
        """The Jacobian rejection fraction `sample` uses when not told otherwise (config sample.jacobian_reject)."""
        return self.config.sample.jacobian_reject

    def _truncation(self, truncation: float,
                    truncation_cutoff: int | None) -> tuple[Callable[[torch.Tensor], torch.Tensor], dict[str, Any]]:
        """How ψ applies: to z before G (gankit.latent.truncate), or inside a StyleGAN2 G through its keywords."""
        from gankit.latent import truncate

        if hasattr(self.generator(), "w_avg"):
            kwargs = {"truncation_psi": truncation, "truncation_cutoff": truncation_cutoff} if truncation != 1 else {}
            return (lambda z: z), kwargs
        return (lambda z: truncate(z, truncation)), {}

    def _latent_map(self, truncation: float = 1.0,
                    truncation_cutoff: int | None = None) -> Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]:
        """(z, c) ↦ G's output as `sample` draws it (truncation included), with autograd left on."""
        G = self.generator()
        prepare, kwargs = self._truncation(truncation, truncation_cutoff)

        def fn(z: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
            return G(prepare(z), **kwargs) if c is None else G(prepare(z), c, **kwargs)

        return fn

    def jacobian_norms(self, z: torch.Tensor, c: torch.Tensor | None = None, truncation: float = 1.0,
                       truncation_cutoff: int | None = None, batch_size: int = 1024) -> torch.Tensor:
        """‖∂G(z, c)/∂z‖_F per latent row: how much G stretches its latent there (gankit.jacobian_rejection)."""
        from gankit.jacobian_rejection import jacobian_norms

        if self.conditional and c is None:
            raise ConfigError("this run is conditional: give class labels or class-weight vectors")
        return jacobian_norms(self._latent_map(truncation, truncation_cutoff), z.to(self.device),
                              None if c is None else c.to(self.device), batch_size=batch_size)

    def jacobian_thresholds(self, q: float, truncation: float = 1.0, truncation_cutoff: int | None = None) -> torch.Tensor:
        """τ per class (one when unconditional): the (1 − q)-quantile of G's Jacobian norm on fixed reference latents."""
        from gankit.jacobian_rejection import REFERENCE_SEED, REFERENCE_SIZE, stretch_thresholds

        k = self.num_classes if self.conditional else 0
        size = REFERENCE_SIZE[self.kind]
        labels = torch.arange(size) % k if k else None
        key = (truncation, truncation_cutoff)
        if key not in self._reference_norms:
            z = torch.randn(size, self.z_dim, generator=make_generator(REFERENCE_SEED, "cpu"))
            self._reference_norms[key] = self.jacobian_norms(z, labels, truncation, truncation_cutoff)
        return stretch_thresholds(self._reference_norms[key], q, labels, k)

    def discriminator(self) -> torch.nn.Module:
        """The run's final discriminator (the one that scored the last G), in eval mode."""
        if self._D is None:
            _, D = build_networks(self.config, tuple(self.info["shape"]), len(self.class_names))
            D.load_state_dict(load_weights(self._checkpoint_dir(), "D", self.device))
            self._D = D.to(self.device).eval().requires_grad_(False)
        return self._D

    @torch.no_grad()
    def realism(self, x: torch.Tensor, c: torch.Tensor | None = None, batch_size: int = 1024) -> torch.Tensor:
        """The final discriminator's logits for samples x (and their classes): higher means more real-looking."""
        from gankit.rejection import check_single_sample_d

        check_single_sample_d(self.config.model.pack)
        D = self.discriminator()
        parts = []
        for i in range(0, len(x), batch_size):
            args = (x[i : i + batch_size].to(self.device),)
            if self.conditional:
                args += (c[i : i + batch_size].to(self.device),)
            parts.append(D(*args).float().cpu().reshape(-1))
        return torch.cat(parts)

    def mixture_members(self) -> list["Run"]:
        """The runs `sample` mixes, one per kept snapshot (config sample.mixture); [] samples the final G alone."""
        from gankit.training.checkpoint import snapshot_dir

        f, every = self.config.sample.mixture, self.config.sample.mixture_every
        if not f or self._fixed_dir is not None or self.checkpoint != "latest":
            return []
        if self._members is None:
            final, root = self.step, self.path / rd.SNAPSHOTS
            # a run stopped early (train.budget_minutes) kept its last step too
            steps = sorted({s for s in snapshot_steps(self.config.train.steps, f, every) if s <= final} | {final})
            missing = [s for s in steps if not snapshot_dir(root, s).is_dir()]
            if missing:
                raise CheckpointError(
                    f"{self.path} lacks the generator snapshots of step(s) {', '.join(map(str, missing))} in "
                    f"{rd.SNAPSHOTS}/, which its sampler mixes (sample.mixture={f}, sample.mixture_every={every}): "
                    "the run was trained without them or with other mixture settings. Sample the final G alone "
                    "(mixture=False; gankit sample --no-mixture), or put sample.mixture back as it was trained")
            self._members = [self._member(snapshot_dir(root, s)) for s in steps]
        return self._members

    def _member(self, folder: Path) -> "Run":
        member = copy.copy(self)  # shares the config, data facts and the real-data subsets
        member._G = member._D = member._members = None
        member._real_scores = {}
        member._reference_norms = {}
        member._fixed_dir = folder
        return member

    def sample(self, n: int, seed: int = 0, batch_size: int = 1024, classes: ClassSpec = None,
               truncation: float = 1.0, truncation_cutoff: int | None = None,
               reject: float | None = None, mixture: bool | None = None,
               jacobian_reject: float | None = None) -> torch.Tensor:
        """n samples in model space (images in [-1, 1], points in data coordinates), reproducible by seed.

        `classes` (conditional runs): a name or index for all n, or one per sample; by default every
        class in turn. `truncation` ψ < 1 pulls the latent towards its mean (see gankit.latent.truncate):
        w towards the tracked w_avg on the first `truncation_cutoff` layers for a StyleGAN2 generator,
        z towards 0 otherwise. `reject` = q keeps only samples the final D scores at least as real as
        all but a fraction q of the training data (gankit.rejection; None: the run's `sample.reject`,
        0: G(z) as it is). `mixture`: draw from the uniform mixture of G's kept snapshots
        (gankit.mixture; None: when the run's sample.mixture > 0; False: the final G alone), each
        snapshot's samples judged by its own D when rejecting. `jacobian_reject` = q turns away the
        latents where G stretches most, a fraction q of them (gankit.jacobian_rejection; None: the
        run's `sample.jacobian_reject`); a sample must pass both rules.
        """
        from gankit.jacobian_rejection import check_jacobian_reject
        from gankit.rejection import check_reject_fraction, check_scorable, rejection_sample

        q = check_reject_fraction(self.sample_reject if reject is None else reject)
        qj = check_jacobian_reject(self.sample_jacobian_reject if jacobian_reject is None else jacobian_reject,
                                   "jacobian_reject")
        check_scorable(q, self.config.loss.objective, self.config.model.pack, "reject")
        if mixture and not self.config.sample.mixture:
            raise ConfigError(f"{self.path} kept no generator snapshots to mix (it was trained with "
                              "sample.mixture=0): sample its final G with mixture=None or False")
        members = self.mixture_members() if mixture is None or mixture else []
        if len(members) > 1 and n > 0:
            return self._sample_mixture(members, n, seed, batch_size, classes, truncation, truncation_cutoff, q, qj)
        labels = self.labels(n, classes)
        if not q and not qj:
            return self._draw(self.noise(n, seed), labels, batch_size, truncation, truncation_cutoff)
        stream = make_generator(seed, "cpu")

        def fresh_latents(k: int, lab: torch.Tensor | None) -> torch.Tensor:
            return torch.randn(k, self.z_dim, generator=stream)

        def unstretched(z: torch.Tensor, lab: torch.Tensor | None) -> torch.Tensor:  # higher = kept first
            return -self.jacobian_norms(z, lab, truncation, truncation_cutoff, batch_size)

        def kept_latents(k: int, lab: torch.Tensor | None) -> torch.Tensor:
            if not qj:
                return fresh_latents(k, lab)
            taus = -self.jacobian_thresholds(qj, truncation, truncation_cutoff)
            return rejection_sample(k, lab, fresh_latents, unstretched, taus, judge="the Jacobian rule",
                                    advice="G's Jacobian norm is not finite there; check the run")

        def draw(k: int, lab: torch.Tensor | None) -> torch.Tensor:
            return self._draw(kept_latents(k, lab), lab, batch_size, truncation, truncation_cutoff)

        if not q:
            return draw(n, labels)
        thresholds = self.rejection_thresholds(q)
        return rejection_sample(n, labels, draw, lambda x, lab: self.realism(x, lab, batch_size), thresholds)

    def _sample_mixture(self, members: list["Run"], n: int, seed: int, batch_size: int, classes: ClassSpec,
                        truncation: float, truncation_cutoff: int | None, q: float, qj: float) -> torch.Tensor:
        """n samples from the uniform mixture of `members`, in a random order of slots, reproducible by seed."""
        from gankit.mixture import member_counts

        labels = self.labels(n, classes)
        g = make_generator(seed, "cpu")
        slots = torch.split(torch.randperm(n, generator=g), member_counts(n, len(members), seed).tolist())
        seeds = torch.randint(0, 2**62, (len(members),), generator=g).tolist()
        out: torch.Tensor | None = None
        for member, idx, member_seed in zip(members, slots, seeds):
            if not len(idx):
                continue
            x = member.sample(len(idx), member_seed, batch_size, None if labels is None else labels[idx].tolist(),
                              truncation, truncation_cutoff, reject=q, mixture=False, jacobian_reject=qj)
            if out is None:
                out = torch.empty((n, *x.shape[1:]), dtype=x.dtype)
            out[idx] = x
        assert out is not None
        return out

    def _draw(self, z: torch.Tensor, labels: torch.Tensor | None, batch_size: int, truncation: float,
              truncation_cutoff: int | None) -> torch.Tensor:
        prepare, kwargs = self._truncation(truncation, truncation_cutoff)
        return self.generate(prepare(z), labels, batch_size, **kwargs)

    def sample_array(self, n: int, seed: int = 0, classes: ClassSpec = None, truncation: float = 1.0,
                     reject: float | None = None, mixture: bool | None = None,
                     jacobian_reject: float | None = None) -> np.ndarray:
        """Samples as arrays: uint8 N×H×W / N×H×W×C images, or float32 N×2 points."""
        from gankit.utils.images import to_uint8

        x = self.sample(n, seed, classes=classes, truncation=truncation, reject=reject, mixture=mixture,
                        jacobian_reject=jacobian_reject)
        return to_uint8(x) if self.kind == "image" else x.numpy().astype(np.float32)

    def save_samples(self, path: str | Path, n: int = 64, seed: int = 0, classes: ClassSpec = None,
                     truncation: float = 1.0, reject: float | None = None, mixture: bool | None = None,
                     jacobian_reject: float | None = None) -> Path:
        """Write samples: .npy raw arrays, an image suffix a grid (or a scatter plot for points)."""
        from gankit.reporting import render_samples
        from gankit.utils.atomic import atomic_path

        path = Path(path)
        if path.suffix == ".npy":
            with atomic_path(path) as tmp:
                with open(tmp, "wb") as f:
                    np.save(f, self.sample_array(n, seed, classes, truncation, reject, mixture, jacobian_reject))
        elif path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp", ".bmp"):
            render_samples(self.sample(n, seed, classes=classes, truncation=truncation, reject=reject, mixture=mixture,
                                       jacobian_reject=jacobian_reject), self.info, path)
        else:
            raise ConfigError(f"cannot write samples to {path.name}: use a .png (grid) or .npy (raw arrays) file")
        return path


def load_run(path: str | Path, device: str | torch.device = "cpu", checkpoint: str = "latest") -> Run:
    """Open a run folder for sampling or evaluation ('best' uses the checkpoint kept by eval.every)."""
    return Run(path, device, checkpoint)


def _trainer_for(cfg: Config, data: ArrayDataset, game, path: Path, extra: Sequence[cbs.Callback] = ()) -> Trainer:
    state, phases, balancer = game
    if state.rank == 0:
        callbacks = _rank0_callbacks(cfg, data, state, balancer, path, extra)
    else:  # other ranks write nothing; the balancer decides from the numbers averaged over ranks
        callbacks = [balancer] if balancer is not None else []
    return Trainer(
        state,
        phases.schedule(),
        checkpoint_dir=path / rd.CHECKPOINTS,
        log_every=cfg.log.every,
        checkpoint_every=cfg.log.checkpoint_every,
        keep_checkpoints=cfg.log.keep_checkpoints,
        callbacks=callbacks,
        guard=DivergenceGuard(cfg.guard.max_loss, cfg.guard.d_win_steps),
        snapshot_dir=path / rd.SNAPSHOTS,
        snapshot_steps=snapshot_steps(cfg.train.steps, cfg.sample.mixture, cfg.sample.mixture_every),
    )


def _rank0_callbacks(cfg: Config, data: ArrayDataset, state: TrainState, balancer, path: Path,
                     extra: Sequence[cbs.Callback]) -> list[cbs.Callback]:
    """Logs, pictures, the balancer, periodic evaluation and the user's callbacks, in that order."""
    from gankit.reporting import SampleRenderer

    renderer = SampleRenderer(state, data, path / rd.SAMPLES, cfg.log.n_samples, derive_seed(cfg.seed, 2))
    callbacks: list[cbs.Callback] = [cbs.CSVLogger(path / rd.METRICS), cbs.ProgressBar(cfg.log.progress)]
    if cfg.log.tensorboard:
        callbacks.append(cbs.TensorBoardLogger(path / rd.TENSORBOARD))
    callbacks.append(cbs.Every(cfg.log.sample_every, renderer))
    if balancer is not None:
        callbacks.append(balancer)
    if cfg.eval.every > 0:
        from gankit.evaluation import LiveRun, PeriodicEval, setup_for

        live = LiveRun(state, data.kind, cfg.model.z_dim, path, cfg.data.name)
        callbacks.append(PeriodicEval(live, setup_for(Run(path), cfg.eval.features), cfg.eval.every, cfg.eval.n,
                                      cfg.eval.metric, cfg.seed))
    callbacks.extend(extra)
    return callbacks


def train(
    source: Config | str | None = None,
    out: str | Path | None = None,
    overrides: list[str] | Mapping[str, Any] | None = None,
    resume: str | Path | None = None,
    callbacks: Sequence[cbs.Callback] = (),
) -> Run:
    """Train a preset/config into a new run folder (or continue `resume`) and return the Run.

    `callbacks` are extra `gankit.training.callbacks.Callback` objects (e.g. your own logger); under
    torchrun they run on rank 0 only.
    """
    if resume is not None:
        return _resume(Path(resume), source, overrides, callbacks)
    cfg = as_config(source, overrides)
    ctx, device = _join(cfg)
    data = load_data(cfg)
    path = None
    if ctx.is_main:
        path = rd.new_run_dir(out or Path("runs") / cfg.name)
        save_config(cfg, path / rd.CONFIG)
        write_json_atomic(path / rd.DATA_INFO, data.info())
    path = Path(broadcast_object(str(path)))
    game = build_game(cfg, data, device, path, ctx)
    return _fit(cfg, data, game, path, callbacks)


def _join(cfg: Config) -> tuple[DistContext, torch.device]:
    """This process's place in a torchrun job (or a single process) and its device."""
    try:
        device = resolve_device(cfg.device)
    except RuntimeError as e:
        raise ConfigError(str(e)) from None
    return init_distributed(device)


def _resume(path: Path, source: Config | str | None, overrides, callbacks: Sequence[cbs.Callback]) -> Run:
    if not (path / rd.CONFIG).is_file():
        raise CheckpointError(f"cannot resume {path}: it is not a run folder ({rd.CONFIG} is missing)")
    saved = read_config(path / rd.CONFIG)
    cfg = as_config(source if source is not None else saved, overrides)
    changes = incompatible_changes(saved, cfg)
    if changes:
        raise CheckpointError(
            f"cannot resume {path} with this config; these settings change the game:\n  "
            + "\n  ".join(changes)
            + "\nOnly train.steps, train.budget_minutes, train.compile, train.allow_world_change, device, data.cache, "
            "log.*, eval.*, sample.* and guard.* may change on resume. Start a new run instead."
        )
    ckpt = latest_checkpoint(path / rd.CHECKPOINTS)
    extra = load_extra(ckpt)
    ctx, device = _join(cfg)
    saved_world = int(extra.get("world_size", 1))
    if saved_world != ctx.world_size and not cfg.train.allow_world_change:
        raise CheckpointError(
            f"cannot resume {path}: it was trained by {saved_world} process(es) and this is {ctx.world_size}. "
            f"gankit refuses by default because each rank draws its own noise stream, saved per rank, so the "
            f"continued game would not be the one an uninterrupted run plays (the global batch, the data order "
            f"and the optimiser state would be the same). Resume with {saved_world} process(es) "
            f"(torchrun --nproc_per_node {saved_world} ...), or accept new noise streams with "
            f"--set train.allow_world_change=true"
        )
    data = load_data(cfg)
    game = build_game(cfg, data, device, path, ctx)
    state = game[0]
    state.load_weights({n: load_weights(ckpt, n, device) for n in state.weights()})
    state.load_extra_state(extra)
    if ctx.is_main:
        save_config(cfg, path / rd.CONFIG)
    return _fit(cfg, data, game, path, callbacks)


def _fit(cfg: Config, data: ArrayDataset, game, path: Path, extra: Sequence[cbs.Callback]) -> Run:
    from gankit.reporting import write_report

    state = game[0]
    trainer = _trainer_for(cfg, data, game, path, extra)
    try:
        budget = cfg.train.budget_minutes * 60 if cfg.train.budget_minutes else None
        status = trainer.fit(cfg.train.steps, budget)
    finally:
        if state.rank == 0 and state.step > 0 and (path / rd.METRICS).exists():
            write_report(path, cfg, data)
    barrier()  # the other ranks return once rank 0 has written the final checkpoint and report
    run = Run(path)
    run.status = status
    return run
