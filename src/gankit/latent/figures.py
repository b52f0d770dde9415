"""Figures of the latent tools: interpolation grids and GIFs, arithmetic, projection, nearest neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from gankit.errors import ConfigError
from gankit.latent.arithmetic import ArithmeticResult
from gankit.latent.neighbours import Neighbours
from gankit.latent.projection import ProjectionResult
from gankit.utils.images import make_grid, save_animation, save_grid, to_uint8
from gankit.utils.plots import pyplot, save_figure
from gankit.utils.provenance import Provenance


def _show(ax, image: torch.Tensor, title: str | None = None) -> None:
    arr = to_uint8(image[None])[0]
    ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def save_interpolation(frames: torch.Tensor, path: str | Path, duration_ms: int = 120,
                       provenance: Provenance | None = None) -> Path:
    """Write an interpolation (rows, steps, C, H, W): a grid (.png, one row per path) or an animated .gif.

    The GIF shows one frame per step (all rows side by side) and plays forward then back.
    """
    path = Path(path)
    rows, steps = frames.shape[:2]
    suffix = path.suffix.lower()
    if suffix == ".gif":
        tiles = [make_grid(to_uint8(frames[:, t]), nrow=rows, min_tile=96) for t in range(steps)]
        save_animation(tiles + tiles[-2:0:-1], path, duration_ms, provenance)
    elif suffix in (".png", ".jpg", ".jpeg", ".webp", ".bmp"):
        save_grid(frames.flatten(0, 1), path, nrow=steps, provenance=provenance)
    else:
        raise ConfigError(f"cannot write an interpolation to {path.name}: use .png (grid) or .gif (animation)")
    return path


def save_arithmetic_figure(result: ArithmeticResult, class_names: Sequence[str],
                           path: str | Path, provenance: Provenance | None = None) -> Path:
    """Exemplars and mean of each term, then the result and its neighbours in latent space, as one figure."""
    plt = pyplot()
    k = max(len(e) for e in result.exemplars)
    cols = max(k + 1, len(result.images))
    nrows = len(result.terms) + 1
    fig, axes = plt.subplots(nrows, cols, figsize=(1.3 * cols, 1.45 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for r, (term, ex, seeds) in enumerate(zip(result.terms, result.exemplars, result.exemplar_seeds)):
        for j, img in enumerate(ex):
            axes[r, j].axis("on")
            _show(axes[r, j], img, f"seed {seeds[j]}")
        axes[r, len(ex)].axis("on")
        _show(axes[r, len(ex)], result.means[r], "mean")
        label = class_names[term.cls] if term.cls is not None else "seeds"
        axes[r, 0].set_ylabel(f"{'+' if term.sign > 0 else '−'} {label}", fontsize=9, rotation=0, ha="right",
                              va="center")
    for j, img in enumerate(result.images):
        axes[-1, j].axis("on")
        _show(axes[-1, j], img, "result" if j == 0 else "nearby")
    axes[-1, 0].set_ylabel("=", fontsize=12, rotation=0, ha="right", va="center")
    title = result.expression
    if result.result.c is not None:  # the class weights G was given, after the projection onto the simplex
        mix = " + ".join(f"{float(w):.2g} {class_names[i]}" for i, w in enumerate(result.result.c) if w > 0.005)
        title += f"\nresult's classes: {mix}"
    fig.suptitle(title, fontsize=10)
    save_figure(fig, path, provenance)
    return Path(path)


def save_projection_figure(result: ProjectionResult, path: str | Path, provenance: Provenance | None = None) -> Path:
    """Target, starting code's image and projected image, with their pixel errors."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(5.4, 2.2))
    _show(axes[0], result.target, "target")
    _show(axes[1], result.start, f"start  MSE {result.start_error:.3f}")
    _show(axes[2], result.reconstruction, f"projected  MSE {result.final_error:.3f}")
    save_figure(fig, path, provenance)
    return Path(path)


def save_neighbours_figure(nb: Neighbours, path: str | Path, provenance: Provenance | None = None) -> Path:
    """One row per sample: the sample, then its nearest training images with their distances."""
    plt = pyplot()
    n, k = nb.train_index.shape
    fig, axes = plt.subplots(n, k + 1, figsize=(1.25 * (k + 1), 1.4 * n + 0.5), squeeze=False)
    for i in range(n):
        _show(axes[i, 0], nb.samples[i], "sample" if i == 0 else None)
        for j in range(k):
            _show(axes[i, j + 1], nb.train_images[i, j], f"#{int(nb.train_index[i, j])}  d={nb.distances[i, j]:.2f}")
    fig.suptitle(f"nearest training images ({nb.space}); median train-to-train NN distance "
                 f"{nb.median_train_nn:.2f}", fontsize=9)
    save_figure(fig, path, provenance)
    return Path(path)


def save_mixing_figure(row_images: torch.Tensor, col_images: torch.Tensor, grid: torch.Tensor,
                       path: str | Path, row_seeds: Sequence[int], col_seeds: Sequence[int], cutoff: int,
                       provenance: Provenance | None = None) -> Path:
    """The style-mixing grid: sources along the top and the left, their mixes inside."""
    plt = pyplot()
    r, c = grid.shape[:2]
    fig, axes = plt.subplots(r + 1, c + 1, figsize=(1.2 * (c + 1), 1.25 * (r + 1)), squeeze=False)
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, f"layers < {cutoff}\nfrom the left", ha="center", va="center", fontsize=7)
    for j in range(c):
        _show(axes[0, j + 1], col_images[j], f"seed {col_seeds[j]}")
    for i in range(r):
        _show(axes[i + 1, 0], row_images[i], f"seed {row_seeds[i]}")
        for j in range(c):
            _show(axes[i + 1, j + 1], grid[i, j])
    save_figure(fig, path, provenance)
    return Path(path)
