"""Samples as a picture: an image grid, or a scatter plot over the modes for 2-D points."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.utils.images import save_grid
from gankit.utils.plots import plot_points
from gankit.utils.provenance import Provenance


def render_samples(x: torch.Tensor, info: Mapping[str, Any], path: str | Path, real: np.ndarray | None = None,
                   nrow: int | None = None, provenance: Provenance | None = None) -> None:
    """Save model-space samples as an image grid (with `provenance`: marked), or as a scatter plot for 2-D points."""
    if info["kind"] == "image":
        save_grid(x, path, nrow=nrow, provenance=provenance)
    else:
        centres = np.asarray(info["centres"]) if "centres" in info else None
        plot_points(x.numpy(), path, real=real, centres=centres, title=Path(path).stem)
