"""Latent codes: what a generator takes (noise z, and a class-weight vector for a conditional run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gankit.data.classes import resolve_class
from gankit.errors import ConfigError
from gankit.run import Run
from gankit.utils.atomic import atomic_path


@dataclass
class Code:
    """One point of latent space: z (z_dim,) and, for conditional runs, class weights c (K,)."""

    z: torch.Tensor
    c: torch.Tensor | None = None

    def save(self, path: str | Path) -> Path:
        """Write the code to an .npz file (z, and c when present), atomically."""
        path = Path(path)
        arrays = {"z": self.z.detach().cpu().numpy()}
        if self.c is not None:
            arrays["c"] = self.c.detach().cpu().numpy()
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Code:
        """Read a code written by `save` (e.g. by `gankit project`)."""
        path = Path(path)
        try:
            with np.load(path) as f:
                z = torch.from_numpy(f["z"]).float()
                c = torch.from_numpy(f["c"]).float() if "c" in f.files else None
        except (OSError, ValueError, KeyError) as e:
            raise ConfigError(f"{path} is not a latent code file written by gankit (an .npz with z): {e}") from None
        return cls(z, c)


def one_hot(index: int, num_classes: int) -> torch.Tensor:
    """The class-weight vector of one class."""
    c = torch.zeros(num_classes)
    c[index] = 1.0
    return c


def to_simplex(c: torch.Tensor) -> torch.Tensor:
    """The nearest class-weight vector (non-negative, summing to 1) to c: the Euclidean projection onto the
    probability simplex (Duchi et al. 2008, "Efficient Projections onto the l1-Ball", fig. 1). (K,) -> (K,)."""
    u = torch.sort(c.float(), descending=True).values
    cumulative = torch.cumsum(u, 0) - 1
    k = torch.arange(1, len(u) + 1, dtype=u.dtype)
    rho = int(torch.nonzero(u - cumulative / k > 0).max())
    return (c.float() - cumulative[rho] / (rho + 1)).clamp_min(0)


def seed_code(run: Run, seed: int, cls: int | None = None) -> Code:
    """The code `run.sample(1, seed=seed)` would use, with class `cls` for a conditional run."""
    z = run.noise(1, seed)[0]
    if not run.conditional:
        return Code(z)
    return Code(z, one_hot(0 if cls is None else cls, len(run.class_names)))


def endpoint(run: Run, spec: str | int, seed: int = 0, cls: int | None = None) -> Code:
    """An interpolation endpoint: a seed (int), a class name (conditional runs: the class of a fixed z
    from `seed`), or a code file (.npz, e.g. from `gankit project`)."""
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        if int(text) < 0:
            raise ConfigError(f"a seed endpoint must be ≥ 0, got {text}")
        return seed_code(run, int(text), cls)
    if text.endswith(".npz"):
        if not Path(text).is_file():
            raise ConfigError(f"code file {text} does not exist (write one with `gankit project`)")
        code = Code.load(text)
        check_code(run, code, text)
        return code
    if not run.conditional:
        raise ConfigError(f"endpoint {text!r}: classes are endpoints only on a conditional run; this run is "
                          "unconditional, so give seeds (e.g. 3 17) or code files (.npz)")
    return seed_code(run, seed, resolve_class(text, run.class_names))


def check_code(run: Run, code: Code, where: str = "code") -> None:
    """Refuse a code whose sizes do not fit the run's generator."""
    if code.z.shape != (run.z_dim,):
        raise ConfigError(f"{where}: z has shape {tuple(code.z.shape)}, but this run's generator takes ({run.z_dim},)")
    k = len(run.class_names) if run.conditional else 0
    if k and (code.c is None or code.c.shape != (k,)):
        raise ConfigError(f"{where}: this conditional run needs class weights of shape ({k},) with z")
    if not k and code.c is not None:
        raise ConfigError(f"{where}: has class weights, but this run is unconditional")


def generate_codes(run: Run, codes: Sequence[Code]) -> torch.Tensor:
    """Images (model space) for a list of codes."""
    z = torch.stack([c.z for c in codes])
    c = torch.stack([c.c for c in codes]) if run.conditional else None
    return run.generate(z, c)
