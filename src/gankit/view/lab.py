"""GAN Lab for real 2-D runs: the data, G's samples, D's decision surface and D's pull on each sample, at a saved step.

Kahng et al. (2018), GAN Lab: the same picture, computed here on the server from a run's checkpoint
or generator snapshot instead of a toy model trained in the browser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gankit.errors import ConfigError
from gankit.losses.adversarial import Objective, get_objective
from gankit.run import Run

GRID = 64  # the surface is D on a GRID×GRID lattice over the picture
N_POINTS = 512  # real points and G's samples drawn (fixed noise: the same z move from step to step)
N_ARROWS = 96
MARGIN = 0.15


def extent(real: np.ndarray, fake: np.ndarray) -> list[float]:
    """The picture's bounds: the data and G's samples with a margin, but never more than 3× the data's span.

    A diverged G throws samples far away; capping the frame keeps the data readable.
    """
    lo_r, hi_r = real.min(0), real.max(0)
    span = np.maximum(hi_r - lo_r, 1e-3)
    centre = (lo_r + hi_r) / 2
    lo = np.maximum(np.minimum(lo_r, np.percentile(fake, 1, axis=0)), centre - 1.5 * span)
    hi = np.minimum(np.maximum(hi_r, np.percentile(fake, 99, axis=0)), centre + 1.5 * span)
    size = max(hi - lo) * (1 + 2 * MARGIN)  # square, so circles look round
    mid = (lo + hi) / 2
    return [float(mid[0] - size / 2), float(mid[0] + size / 2), float(mid[1] - size / 2), float(mid[1] + size / 2)]


def decision_line(objective: Objective) -> float | None:
    """The value of D's read-out where it cannot tell (0.5 for a probability or LSGAN, 0 for a sign); None: relative."""
    if objective.probability or objective.decision == "half":
        return 0.5
    return None if objective.decision == "relative" else 0.0


def _d_inputs(run: Run, n: int) -> torch.Tensor | None:
    """The class of the picture, n times: the first class on a conditional run (None otherwise)."""
    return run.labels(n, 0) if run.conditional else None


def surface(run: Run, box: list[float], n: int = GRID) -> np.ndarray:
    """D's raw output on an n×n lattice over `box` (row 0 at the bottom): n*n floats, row-major."""
    xs = torch.linspace(box[0], box[1], n)
    ys = torch.linspace(box[2], box[3], n)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    return run.realism(points, _d_inputs(run, len(points))).numpy()


def pull(run: Run, x: torch.Tensor, box: list[float]) -> np.ndarray:
    """∇ₓ D(x) at G's samples: where D would have each one move to look more real; arrows scaled to the picture.

    The longest arrow is 8% of the picture's width, so directions stay readable as D sharpens.
    """
    D = run.discriminator()
    x = x.clone().requires_grad_(True)
    c = _d_inputs(run, len(x))
    with torch.enable_grad():
        out = D(x) if c is None else D(x, c)
        (grad,) = torch.autograd.grad(out.sum(), x)
    g = grad.numpy()
    longest = float(np.linalg.norm(g, axis=1).max()) or 1.0
    return g * (0.08 * (box[1] - box[0]) / longest)


def lab_view(run: Run, real: np.ndarray, step: int) -> dict[str, Any]:
    """Everything the GAN Lab panel draws for one saved step, as JSON-ready lists."""
    if run.kind != "points":
        raise ConfigError(f"{run.path} is an image run: GAN Lab draws 2-D runs; open its Explore panel")
    if run.config.model.pack > 1:
        raise ConfigError(f"{run.path} judges packs of {run.config.model.pack} points: D has no value at one point;\n"
                          "train with model.pack=1 to see D's surface")
    z = run.noise(N_POINTS, seed=0)
    fake = run.generate(z, _d_inputs(run, N_POINTS)).numpy()  # one class throughout: D's surface is that class's
    box = extent(real, fake)
    values = surface(run, box)
    chosen = np.linspace(0, N_POINTS - 1, N_ARROWS).astype(int)
    arrows = pull(run, torch.from_numpy(fake[chosen]).float(), box)
    objective = get_objective(run.config.loss.objective)
    if objective.probability:
        values = 1 / (1 + np.exp(-values))
    # where D's verdict flips: relativistic and Wasserstein critics compare with their mean score of fakes
    threshold = decision_line(objective)
    if threshold is None:
        threshold = float(run.realism(torch.from_numpy(fake), _d_inputs(run, N_POINTS)).mean())
    low, high = float(np.percentile(values, 2)), float(np.percentile(values, 98))
    return {
        "step": step, "extent": box, "n": GRID, "surface": [round(float(v), 4) for v in values],
        "vmin": min(low, threshold - 1e-6), "vmax": max(high, threshold + 1e-6), "threshold": threshold,
        "probability": objective.probability,
        "note": f"class {run.class_names[0]}" if run.conditional else None,
        "real": np.round(real, 4).tolist(), "fake": np.round(fake, 4).tolist(),
        "arrows": [[*map(float, np.round(fake[i], 4)), *map(float, np.round(a, 4))] for i, a in zip(chosen, arrows)],
    }
