"""Interpolation between two endpoints of a run's latent space, as rows of images."""

from __future__ import annotations

import torch

from gankit.errors import ConfigError
from gankit.latent.codes import Code, endpoint, generate_codes, one_hot, resolve_class
from gankit.latent.interpolation import interpolate, lerp
from gankit.run import Run


def _is_seed(spec) -> bool:
    return str(spec).strip().lstrip("-").isdigit()


def interpolation(run: Run, a: str | int, b: str | int, steps: int = 9, mode: str = "slerp", cls: str | int | None = None,
                  rows: int = 4, seed: int = 0) -> torch.Tensor:
    """Images along the path from endpoint `a` to `b` (seeds, class names or code files): (rows, steps, C, H, W).

    z follows `mode` (slerp or lerp); class weights always move linearly, so every step is a blend of
    the two classes. Rows: between two seeds on a conditional run, one row per class (or the class
    `cls`); between two classes, `rows` different z from seeds seed, seed+1, ...; otherwise one row.
    """
    if run.kind != "image":
        raise ConfigError("interpolation figures are drawn for image runs")
    k = len(run.class_names) if run.conditional else 0
    ci = run.class_index(cls) if cls is not None else None
    if ci is not None and not k:
        raise ConfigError(f"{run.path} is unconditional: it takes no class (drop --class)")
    if k and _is_seed(a) and _is_seed(b) and ci is None:
        pairs = [(endpoint(run, a, cls=j), endpoint(run, b, cls=j)) for j in range(k)]
    elif k and not _is_seed(a) and not _is_seed(b) and not str(a).endswith(".npz") and not str(b).endswith(".npz"):
        ia, ib = resolve_class(a, run.class_names), resolve_class(b, run.class_names)
        pairs = []
        for r in range(rows):
            z = run.noise(1, seed + r)[0]
            pairs.append((Code(z, one_hot(ia, k)), Code(z, one_hot(ib, k))))
    else:
        pairs = [(endpoint(run, a, seed, ci), endpoint(run, b, seed, ci))]
    out = []
    for start, end in pairs:
        zs = interpolate(start.z, end.z, steps, mode)
        cs = lerp(start.c, end.c, torch.linspace(0, 1, steps, dtype=torch.float64)) if k else [None] * steps
        out.append(generate_codes(run, [Code(z, c) for z, c in zip(zs, cs)]))
    return torch.stack(out)
