"""Run: a run folder opened for sampling. Its config, data facts and weights; nothing else is needed.

    run = Run("runs/ring8")
    points = run.sample(2500, seed=0)          # through the run's sampler (rejection, mixture, ...)

Loading only: the networks come from the game's spec (`games.registry`), the samplers from
`gankit.sampling`. The dataset is read only by what needs real data (D's rejection thresholds).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gankit.config.io import read_config
from gankit.config.schema import Config
from gankit.data.base import ArrayDataset, different_data
from gankit.data.classes import resolve_class
from gankit.data.registry import load_dataset
from gankit.errors import CheckpointError, ConfigError, DataError
from gankit.games.base import GameSpec
from gankit.games.registry import game_spec
from gankit.models.inference import for_cpu_sampling
from gankit.models.protocols import StyleGenerator
from gankit.sampling.draw import Rule, draw_samples, noise
from gankit.sampling.jacobian import (
    REFERENCE_SEED,
    REFERENCE_SIZE,
    check_jacobian_reject,
    jacobian_norms,
    stretch_thresholds,
)
from gankit.sampling.mixture import sample_mixture, snapshot_steps
from gankit.sampling.rejection import check_reject_fraction, check_scorable, check_single_sample_d, data_thresholds
from gankit.sampling.truncation import check_truncation, truncate
from gankit.training.checkpoint import latest_checkpoint, load_into, load_weights, snapshot_dir
from gankit.training.numerics import autocast
from gankit.training.precision import sampling_precision
from gankit.utils import run_dir as rd
from gankit.utils.atomic import atomic_path
from gankit.utils.device import resolve_device
from gankit.utils.images import to_uint8
from gankit.utils.provenance import Provenance, for_run
from gankit.utils.render import render_samples
from gankit.utils.seeding import make_generator

ClassSpec = str | int | Sequence[str | int] | None  # a class name or index, one per sample, or None
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


def load_data(cfg: Config, **changes: Any) -> ArrayDataset:
    """Load the dataset a config names (`changes` replace fields of its data section, e.g. split='test')."""
    d = dataclasses.replace(cfg.data, **changes) if changes else cfg.data
    return load_dataset(d.name, path=d.path, size=d.size, channels=d.channels, n=d.n, seed=cfg.seed,
                        download=d.download, split=d.split, upscale=d.upscale, cache=d.cache,
                        domains=d.domains, music=cfg.music.data_options())


def load_run_data(run: Path, cfg: Config, **changes: Any) -> ArrayDataset:
    """The dataset of the run in folder `run`; when it is not where the run saw it, say how to point to it."""
    try:
        return load_data(cfg, **changes)
    except DataError as e:
        if cfg.data.path is None:
            raise
        raise DataError(f"{run} was trained on data at {cfg.data.path}: {str(e).splitlines()[0]}\n"
                        "if the data moved, point to it with --data-path DIR "
                        "(Python: load_run(..., data_path=DIR) or the override data.path=DIR)") from None


CPU_BATCH = 128  # a CPU samples faster in batches that stay in its caches (bench.sample, docs/benchmarks.md)
# On a GPU, a batch of about 4M output values: 4096 Fashion-MNIST images, 256 RGB images at 128 px, the
# fastest of the batches bench.gpu_sample timed on an H200 for each (docs/benchmarks.md); 256 at least.
GPU_BATCH_VALUES, GPU_BATCH_MIN, GPU_BATCH_MAX = 2**22, 256, 8192


class Run:
    """A run folder: its config, its data facts and its latest weights; sampling needs nothing else."""

    def __init__(self, path: str | Path, device: str | torch.device = "cpu", checkpoint: str = "latest",
                 data_path: str | Path | None = None, ema: bool = True, precision: str = "fp32") -> None:
        self.path = Path(path)
        self.ema = ema  # sample the EMA copy of the generator when the run kept one (False: the raw weights)
        if checkpoint not in ("latest", "best"):
            raise ConfigError(f"checkpoint must be 'latest' or 'best', got {checkpoint!r}")
        self.checkpoint = checkpoint
        if not (self.path / rd.CONFIG).is_file():
            raise CheckpointError(f"{self.path} is not a gankit run folder: {rd.CONFIG} is missing")
        self.config = read_config(self.path / rd.CONFIG)
        if data_path is not None:  # the data moved since training: read it from here (checked against data.json)
            self.config = dataclasses.replace(self.config, data=dataclasses.replace(self.config.data, path=str(data_path)))
        self.info: dict[str, Any] = _read_data_info(self.path / rd.DATA_INFO)
        self.spec: GameSpec = game_spec(self.config.game)
        self._ckpt: Path | None = None
        self.device = torch.device(device)
        try:  # G's forward passes run in this precision (fp32 or bf16; 'auto' settled for the device)
            self.precision = sampling_precision(precision, self.device)
        except ValueError as e:
            raise ConfigError(str(e)) from None
        self.status: str | None = None  # set by train(): 'done' or 'budget'
        self._nets: dict[str, nn.Module] = {}
        self._real_scores: dict[int, torch.Tensor] = {}  # this D's scores of the real subset of each size
        self._real_subsets: dict[int, tuple[torch.Tensor, torch.Tensor | None]] = {}  # shared with mixture members
        self._reference_norms: dict[tuple, torch.Tensor] = {}  # this G's Jacobian norms on the reference latents
        self._fixed_dir: Path | None = None  # a mixture member: one snapshot folder
        self._members: list[Run] | None = None

    # -- facts -----------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """'image' or 'points'."""
        return self.info["kind"]

    @property
    def data_name(self) -> str:
        """The dataset the run was trained on (config data.name)."""
        return self.config.data.name

    @property
    def class_names(self) -> list[str]:
        """The dataset's class names."""
        return list(self.info["class_names"])

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

    @property
    def sample_reject(self) -> float:
        """The rejection fraction `sample` uses when not told otherwise (config sample.reject)."""
        return self.config.sample.reject

    @property
    def sample_jacobian_reject(self) -> float:
        """The Jacobian rejection fraction `sample` uses when not told otherwise (config sample.jacobian_reject)."""
        return self.config.sample.jacobian_reject

    @property
    def step(self) -> int:
        """The step of the checkpoint this Run samples from."""
        return int(self._checkpoint_dir().name.removeprefix("step_"))

    def _checkpoint_dir(self) -> Path:
        if self._fixed_dir is not None:
            return self._fixed_dir
        if self._ckpt is None:  # verified once: the newest intact checkpoint, with a warning if that is not the newest
            root = self.path / rd.CHECKPOINTS
            self._ckpt = latest_checkpoint(root / "best" if self.checkpoint == "best" else root)
        return self._ckpt

    def dataset(self, **changes: Any) -> ArrayDataset:
        """The run's dataset as its config names it (`changes` replace data fields, e.g. split='test').

        The training data itself is checked against the run's data facts, so a moved or changed
        dataset is never used by mistake; give its new place with `data_path` (CLI --data-path).
        """
        data = load_run_data(self.path, self.config, **changes)
        problem = different_data(self.info, data) if not changes else None
        if problem:
            raise DataError(f"the data at {self.config.data.path or 'the default place'} is not what {self.path} was "
                            f"trained on: it has {problem};\npoint --data-path at the run's own data")
        return data

    # -- networks --------------------------------------------------------------------------------
    def _network(self, role: str, files: Sequence[str]) -> nn.Module:
        """The network `role` of the game, with the first of `files` its checkpoint holds, in eval mode."""
        if role not in self._nets:
            ckpt = self._checkpoint_dir()
            net = self.spec.networks(self.config, self.info)[role]
            name = next((f for f in files if (ckpt / f"{f}.safetensors").is_file()), files[-1])
            load_into(net, load_weights(ckpt, name, self.device), ckpt / f"{name}.safetensors")
            net = net.to(self.device).eval().requires_grad_(False)
            if self.device.type == "cpu" and role == self.spec.sampler:  # same maths, oneDNN's faster path
                net = for_cpu_sampling(net)
            self._nets[role] = net
        return self._nets[role]

    def network(self, role: str) -> nn.Module:
        """Any network of the game by its player name (e.g. 'G_AB' of a CycleGAN run), in eval mode."""
        try:
            return self._network(role, (role,))
        except KeyError:  # the game's spec builds no network of that name
            raise ConfigError(f"{self.path} is a {self.config.game} run: it has no network {role!r}") from None

    def generator(self) -> nn.Module:
        """The sampling generator (the EMA copy when the run kept one and `ema` is on), in eval mode."""
        files = (f"{self.spec.sampler}_ema", self.spec.sampler) if self.ema else (self.spec.sampler,)
        return self._network(self.spec.sampler, files)

    def discriminator(self) -> nn.Module:
        """The run's final discriminator (the one that scored the last G), in eval mode."""
        return self._network(self.spec.judge, (self.spec.judge,))

    def batch(self, batch_size: int | None) -> int:
        """The batch a forward pass takes: as given, else CPU_BATCH on a CPU (caches beat width there), else
        the power of two nearest GPU_BATCH_VALUES output values, within [GPU_BATCH_MIN, GPU_BATCH_MAX]."""
        if batch_size is not None:
            return batch_size
        if self.device.type == "cpu":
            return CPU_BATCH
        values = max(1, math.prod(int(d) for d in self.info["shape"]))
        return min(GPU_BATCH_MAX, max(GPU_BATCH_MIN, 2 ** round(math.log2(GPU_BATCH_VALUES / values))))

    def class_index(self, name_or_index: str | int) -> int:
        """A class given by name (case-insensitive) or index -> its index; unknown ones list the valid names."""
        return resolve_class(name_or_index, self.class_names)

    def labels(self, n: int, classes: ClassSpec = None) -> torch.Tensor | None:
        """The class labels of n samples: None for an unconditional run; by default every class in turn."""
        if not self.conditional:
            if classes is not None:
                raise ConfigError(f"{self.path} is an unconditional run (model.cond_g=none): it takes no class;\n"
                                  "train a conditional preset such as fashion-cdcgan to choose classes")
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
        return noise(n, self.z_dim, seed)

    def _need_classes(self, c: torch.Tensor | None) -> None:
        if self.conditional and c is None:
            raise ConfigError("this run is conditional: give class labels or class-weight vectors")

    @torch.no_grad()
    def generate(self, z: torch.Tensor, c: torch.Tensor | None = None, batch_size: int | None = None,
                 **kwargs: Any) -> torch.Tensor:
        """G(z, c) in model space for given noise and class labels or weights (None: unconditional).

        Extra keyword arguments go to the generator (e.g. truncation_psi for a style generator).
        """
        self._need_classes(c)
        G, z, batch_size = self.generator(), z.to(self.device), self.batch(batch_size)
        out = None  # filled batch by batch: no list of parts to concatenate at the end
        for i in range(0, len(z), batch_size):
            args = (z[i : i + batch_size],) if not self.conditional else (z[i : i + batch_size],
                                                                         c[i : i + batch_size].to(self.device))
            with autocast(self.precision, self.device):
                x = G(*args, **kwargs)
            if out is None:
                out = torch.empty((len(z), *x.shape[1:]), dtype=torch.float32)
            out[i : i + len(x)].copy_(x)  # from any device and dtype into the fp32 host tensor
        return out if out is not None else torch.empty((0, *self.info["shape"]))

    @torch.no_grad()
    def realism(self, x: torch.Tensor, c: torch.Tensor | None = None, batch_size: int | None = None) -> torch.Tensor:
        """The final discriminator's logits for samples x (and their classes): higher means more real-looking."""
        check_single_sample_d(self.config.model.pack)
        D, batch_size = self.discriminator(), self.batch(batch_size)
        parts = []
        for i in range(0, len(x), batch_size):
            args = (x[i : i + batch_size].to(self.device),)
            if self.conditional:
                args += (c[i : i + batch_size].to(self.device),)
            parts.append(D(*args).float().cpu().reshape(-1))
        return torch.cat(parts)

    # -- the samplers' parts ---------------------------------------------------------------------
    def _truncation(self, truncation: float,
                    truncation_cutoff: int | None) -> tuple[Callable[[torch.Tensor], torch.Tensor], dict[str, Any]]:
        """How ψ applies: inside a style generator (towards w_avg) through its keywords, else to z before G."""
        if isinstance(self.generator(), StyleGenerator):
            kwargs = {"truncation_psi": truncation, "truncation_cutoff": truncation_cutoff} if truncation != 1 else {}
            return (lambda z: z), kwargs
        return (lambda z: truncate(z, truncation)), {}

    def _generate_fn(self, truncation: float, truncation_cutoff: int | None,
                     batch_size: int | None) -> Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]:
        prepare, kwargs = self._truncation(truncation, truncation_cutoff)
        return lambda z, c: self.generate(prepare(z), c, batch_size, **kwargs)

    def _latent_map(self, truncation: float = 1.0,
                    truncation_cutoff: int | None = None) -> Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]:
        """(z, c) ↦ G's output as `sample` draws it (truncation included), with autograd left on."""
        G = self.generator()
        prepare, kwargs = self._truncation(truncation, truncation_cutoff)

        def fn(z: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
            return G(prepare(z), **kwargs) if c is None else G(prepare(z), c, **kwargs)

        return fn

    def rejection_thresholds(self, q: float, n_real: int = 10_000) -> torch.Tensor:
        """τ per class (one when unconditional): the q-quantile of D's scores on up to n_real training samples.

        Needs the run's dataset (as its config names it); the samples are a fixed random subset.
        """
        if n_real not in self._real_subsets:
            data = self.dataset()
            idx = torch.randperm(len(data), generator=make_generator(0, "cpu"))[:n_real]
            self._real_subsets[n_real] = (data.to_model_space(data.x[idx]), data.y[idx] if self.conditional else None)
        x, y = self._real_subsets[n_real]
        if n_real not in self._real_scores:
            self._real_scores[n_real] = self.realism(x, y)
        return data_thresholds(self._real_scores[n_real], q, y, self.num_classes)

    def jacobian_norms(self, z: torch.Tensor, c: torch.Tensor | None = None, truncation: float = 1.0,
                       truncation_cutoff: int | None = None, batch_size: int | None = None) -> torch.Tensor:
        """‖∂G(z, c)/∂z‖_F per latent row: how much G stretches its latent there (gankit.sampling.jacobian)."""
        self._need_classes(c)
        return jacobian_norms(self._latent_map(truncation, truncation_cutoff), z.to(self.device),
                              None if c is None else c.to(self.device), batch_size=self.batch(batch_size))

    def jacobian_thresholds(self, q: float, truncation: float = 1.0, truncation_cutoff: int | None = None) -> torch.Tensor:
        """τ per class (one when unconditional): the (1 − q)-quantile of G's Jacobian norm on fixed reference latents."""
        k = self.num_classes
        size = REFERENCE_SIZE[self.kind]
        labels = torch.arange(size) % k if k else None
        key = (truncation, truncation_cutoff)
        if key not in self._reference_norms:
            z = noise(size, self.z_dim, REFERENCE_SEED)
            self._reference_norms[key] = self.jacobian_norms(z, labels, truncation, truncation_cutoff)
        return stretch_thresholds(self._reference_norms[key], q, labels, k)

    def _rules(self, q: float, qj: float, truncation: float, truncation_cutoff: int | None,
               batch_size: int | None) -> tuple[Rule | None, Rule | None]:
        """(the Jacobian rule on latents, D's rule on samples), each None when its fraction is 0."""
        latent_rule = sample_rule = None
        if qj:
            latent_rule = Rule(lambda z, c: -self.jacobian_norms(z, c, truncation, truncation_cutoff, batch_size),
                               -self.jacobian_thresholds(qj, truncation, truncation_cutoff), judge="the Jacobian rule",
                               advice="G's Jacobian norm is not finite there; check the run")
        if q:
            sample_rule = Rule(lambda x, c: self.realism(x, c, batch_size), self.rejection_thresholds(q))
        return latent_rule, sample_rule

    # -- the snapshot mixture --------------------------------------------------------------------
    def mixture_members(self) -> list[Run]:
        """The runs `sample` mixes, one per kept snapshot (config sample.mixture); [] samples the final G alone."""
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
                    f"{self.path} lacks the G snapshots of step(s) {', '.join(map(str, missing))} that sample.mixture "
                    f"mixes; sample the final G alone (--no-mixture, mixture=False)")
            self._members = [self._member(snapshot_dir(root, s)) for s in steps]
        return self._members

    def at_checkpoint(self, folder: str | Path) -> Run:
        """The same run with its networks read from another checkpoint or snapshot folder (e.g. an earlier step)."""
        return self._member(Path(folder))

    def _member(self, folder: Path) -> Run:
        member = copy.copy(self)  # shares the config, data facts and the real-data subsets
        member._nets, member._members = {}, None
        member._real_scores, member._reference_norms = {}, {}
        member._fixed_dir = folder
        return member

    # -- sampling --------------------------------------------------------------------------------
    def sample(self, n: int, seed: int = 0, batch_size: int | None = None, classes: ClassSpec = None,
               truncation: float = 1.0, truncation_cutoff: int | None = None,
               reject: float | None = None, mixture: bool | None = None,
               jacobian_reject: float | None = None) -> torch.Tensor:
        """n samples in model space (images in [-1, 1], points in data coordinates), reproducible by seed.

        `classes` (conditional runs): a name or index for all n, or one per sample; by default every
        class in turn. `truncation` ψ < 1 pulls the latent towards its mean (w_avg on the first
        `truncation_cutoff` layers of a style generator, 0 for z otherwise). `reject` = q keeps only
        samples the final D scores at least as real as all but a fraction q of the training data
        (None: the run's sample.reject). `mixture`: draw from the uniform mixture of G's kept snapshots
        (None: when the run kept them; False: the final G alone), each judged by its own D.
        `jacobian_reject` = q turns away the latents where G stretches most (None: the run's
        sample.jacobian_reject); a sample must pass both rules. See gankit.sampling.
        """
        if self.kind == "tokens":
            raise ConfigError(f"{self.path} is a SeqGAN run: its samples are music, drawn from no latent;\n"
                              f"write them with `gankit music {self.path} --out DIR` (Python: gankit.composer.Composer)")
        if self.config.game == "text2img":
            raise ConfigError(f"{self.path} draws what a caption says: give it one with\n"
                              f"`gankit text2img {self.path} \"a large red circle\" --out FILE.png` (Python: gankit.illustrator)")
        check_truncation(truncation)
        q = check_reject_fraction(self.sample_reject if reject is None else reject)
        qj = check_jacobian_reject(self.sample_jacobian_reject if jacobian_reject is None else jacobian_reject,
                                   "jacobian_reject")
        check_scorable(q, self.config.loss.objective, self.config.model.pack, "reject")
        if mixture and not self.config.sample.mixture:
            raise ConfigError(f"{self.path} kept no generator snapshots to mix (sample.mixture=0); use mixture=None or False")
        members = self.mixture_members() if mixture is None or mixture else []
        labels = self.labels(n, classes)
        if len(members) > 1 and n > 0:
            def member_draw(member: Run) -> Callable[[int, int, list[int] | None], torch.Tensor]:
                return lambda k, s, lab: member.sample(k, s, batch_size, lab, truncation, truncation_cutoff,
                                                       reject=q, mixture=False, jacobian_reject=qj)

            return sample_mixture(n, labels, seed, [member_draw(m) for m in members])
        latent_rule, sample_rule = self._rules(q, qj, truncation, truncation_cutoff, batch_size)
        return draw_samples(n, labels, seed, self.z_dim, self._generate_fn(truncation, truncation_cutoff, batch_size),
                            latent_rule, sample_rule)

    def sample_array(self, n: int, seed: int = 0, classes: ClassSpec = None, truncation: float = 1.0,
                     reject: float | None = None, mixture: bool | None = None,
                     jacobian_reject: float | None = None) -> np.ndarray:
        """Samples as arrays: uint8 N×H×W / N×H×W×C images, or float32 N×2 points."""
        x = self.sample(n, seed, classes=classes, truncation=truncation, reject=reject, mixture=mixture,
                        jacobian_reject=jacobian_reject)
        return to_uint8(x) if self.kind == "image" else x.numpy().astype(np.float32)

    def provenance(self, watermark: bool = True) -> Provenance:
        """What images drawn from this run carry: its name, id and step, and gankit's version."""
        return for_run(self.path, self.step, watermark)

    def save_samples(self, path: str | Path, n: int = 64, seed: int = 0, classes: ClassSpec = None,
                     truncation: float = 1.0, reject: float | None = None, mixture: bool | None = None,
                     jacobian_reject: float | None = None, watermark: bool = True) -> Path:
        """Write samples: .npy raw arrays, an image suffix a grid (or a scatter plot for points).

        A grid carries the run's provenance metadata, and its watermark unless `watermark` is False.
        """
        path = Path(path)
        if path.suffix == ".npy":
            array = self.sample_array(n, seed, classes, truncation, reject, mixture, jacobian_reject)
            with atomic_path(path) as tmp:
                with open(tmp, "wb") as f:
                    np.save(f, array)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            render_samples(self.sample(n, seed, classes=classes, truncation=truncation, reject=reject, mixture=mixture,
                                       jacobian_reject=jacobian_reject), self.info, path,
                           provenance=self.provenance(watermark))
        else:
            raise ConfigError(f"cannot write samples to {path.name}: use a .png (grid) or .npy (raw arrays) file")
        return path


def load_run(path: str | Path, device: str | torch.device = "cpu", checkpoint: str = "latest",
             data_path: str | Path | None = None, ema: bool = True, precision: str = "fp32") -> Run:
    """Open a run folder for sampling or evaluation ('best' uses the checkpoint kept by eval.every).

    `device`: a torch device or 'auto' (a GPU when there is one). `data_path`: where the run's dataset
    is now, when it moved since training. `ema=False` samples the raw generator instead of its moving
    average. `precision`: G's sampling passes in fp32, bf16, or 'auto' (bf16 on a GPU, or a CPU with AMX).
    """
    return Run(path, _device(device) if isinstance(device, str) else device, checkpoint, data_path, ema, precision)


def _device(name: str) -> torch.device:
    """A device name ('auto': a GPU when there is one) as a torch.device, or a ConfigError saying what to use."""
    try:
        if name != "auto":
            torch.device(name)
    except RuntimeError:
        raise ConfigError(f"{name!r} is not a device; use auto, cpu, cuda, cuda:N or mps") from None
    try:
        return resolve_device(name)
    except RuntimeError as e:
        raise ConfigError(str(e)) from None


def _read_data_info(path: Path) -> dict[str, Any]:
    """A run's data.json, or a CheckpointError naming the file."""
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the run folder is incomplete; start a new run")
    try:
        info = json.loads(path.read_text())
        if not isinstance(info, dict) or not {"kind", "shape", "class_names"} <= set(info):
            raise ValueError("the data facts kind, shape and class_names are missing")
    except (ValueError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path} is corrupt ({str(e).splitlines()[0]});\n"
                              "restore it from a copy of the run, or start a new run") from None
    return info
