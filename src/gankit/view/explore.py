"""The Explore panel's pictures: one sample by seed, ψ and class; a walk between two seeds or classes; latent
arithmetic; style mixing. Each is a uint8 array, or a figure file the latent tools draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gankit import latent
from gankit.errors import ConfigError
from gankit.models.protocols import StyleGenerator
from gankit.run import Run
from gankit.utils.images import make_grid, to_uint8

MAX_STEPS = 16
MAX_MIX = 6


def controls(run: Run) -> dict[str, bool]:
    """Which Explore controls the run has: a control it lacks is hidden by the page, never shown broken."""
    image = run.kind == "image" and not run.spec.translates and run.config.game != "text2img"
    style = image and run.config.model.arch == "stylegan2"
    return {"truncation": image, "class": image and run.conditional, "interpolate": image,
            "arithmetic": image and run.conditional, "mix": style}


def _check_image_run(run: Run) -> None:
    if not controls(run)["interpolate"]:
        raise ConfigError(f"{run.path.name} is a {run.config.game} run of {run.kind}: Explore draws image runs from noise;"
                          "\nopen the run's own panel")


def _class(run: Run, cls: str | None) -> int | None:
    """A class name or index from the page; a class asked of an unconditional run is refused."""
    if cls in (None, ""):
        return None
    if not run.conditional:
        raise ConfigError(f"{run.path.name} is unconditional: it takes no class")
    return run.class_index(cls)


def sample_image(run: Run, seed: int, psi: float = 1.0, cls: str | None = None) -> np.ndarray:
    """G's sample for one seed (and class), at truncation ψ: uint8 H×W or H×W×C."""
    _check_image_run(run)
    if seed < 0:
        raise ConfigError(f"the seed must be ≥ 0, got {seed}")
    c = _class(run, cls)
    x = run.sample(1, seed=seed, classes=None if c is None else [c], truncation=psi)
    return to_uint8(x)[0]


def _endpoint(run: Run, text: str) -> int | str:
    """A seed or a class name; nothing else (a page may not name files on the server)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not run.conditional:
        raise ConfigError(f"{text!r}: on an unconditional run the endpoints are seeds (0, 1, 2, ...)")
    return run.class_names[run.class_index(text)]


def walk_image(run: Run, a: str, b: str, steps: int = 9, cls: str | None = None) -> np.ndarray:
    """A strip of `steps` images from endpoint a to b (seeds, or class names on a conditional run)."""
    _check_image_run(run)
    if not 2 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be between 2 and {MAX_STEPS}, got {steps}")
    c = _class(run, cls)
    ea, eb = _endpoint(run, a), _endpoint(run, b)
    if run.conditional and c is None and isinstance(ea, int) and isinstance(eb, int):
        c = 0  # two seeds on a conditional run: one class's row, not one row per class
    frames = latent.interpolation(run, ea, eb, steps=steps, cls=c, rows=1)
    return make_grid(to_uint8(frames[0]), nrow=steps)


def arithmetic_figure(run: Run, expression: str, path: Path, provenance: Any) -> Path:
    """The latent-arithmetic figure of `gankit arithmetic` for an expression of class names."""
    if not expression.strip():
        raise ConfigError("write an expression of class names, e.g. " + " - ".join(run.class_names[:2]))
    result = latent.arithmetic(run, expression)
    return latent.save_arithmetic_figure(result, run.class_names, path, provenance=provenance)


def _seeds(text: str, what: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.replace(" ", "").split(",") if s]
    except ValueError:
        raise ConfigError(f"{what}: give seeds separated by commas, e.g. 1,2,3") from None
    if not 1 <= len(seeds) <= MAX_MIX or min(seeds) < 0:
        raise ConfigError(f"{what}: give 1 to {MAX_MIX} seeds ≥ 0, got {text!r}")
    return seeds


def mixing_figure(run: Run, rows: str, cols: str, psi: float, path: Path, provenance: Any) -> Path:
    """The style-mixing figure of `gankit mix`: coarse styles from the row seeds, fine ones from the columns."""
    G = run.generator()
    if not isinstance(G, StyleGenerator):
        raise ConfigError(f"{run.path.name} is not a StyleGAN2 run: style mixing needs one")
    row_seeds, col_seeds = _seeds(rows, "rows"), _seeds(cols, "columns")
    cutoff = max(1, G.num_ws // 3)
    row_img, col_img, grid = latent.style_mix(run, row_seeds, col_seeds, cutoff=cutoff, truncation=psi)
    return latent.save_mixing_figure(row_img, col_img, grid, path, row_seeds, col_seeds, cutoff, provenance=provenance)
