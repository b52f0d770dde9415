"""Figures of the game: loss, D-output and D-accuracy curves, and 2-D sample scatter plots."""

from __future__ import annotations

import io
import os
import types
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from gankit.utils.atomic import atomic_path
from gankit.utils.images import make_grid, save_image
from gankit.utils.provenance import Provenance

if TYPE_CHECKING:  # for the annotations only: matplotlib itself loads on first use (see _pyplot)
    from matplotlib.figure import Figure


def _pyplot() -> types.ModuleType:
    import matplotlib  # lazy: pyplot on first use only, so importing gankit never picks a backend for the user's session

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt  # lazy: pyplot on first use only, so importing gankit never picks a backend for the user's session

    return plt


def _save(fig, path: str | os.PathLike, provenance: Provenance | None = None) -> None:
    if provenance is None:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    else:  # render, then write through save_image so the figure carries the run's metadata and mark
        buffer = io.BytesIO()
        fig.savefig(buffer, dpi=110, bbox_inches="tight", format="png")
        with Image.open(buffer) as image:
            save_image(np.asarray(image.convert("RGB")), path, provenance)
    _pyplot().close(fig)


def _series(rows: Sequence[Mapping[str, float]], key: str) -> tuple[np.ndarray, np.ndarray]:
    pts = [(r["step"], r[key]) for r in rows if key in r and r[key] == r[key]]
    if not pts:
        return np.zeros(0), np.zeros(0)
    a = np.asarray(pts, dtype=float)
    return a[:, 0], a[:, 1]


def plot_game_curves(rows: Sequence[Mapping[str, float]], path: str | os.PathLike) -> None:
    """Plot losses, mean D outputs, D accuracy (with the 50% equilibrium line) and gradient norms."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(18, 3.8))
    players = sorted({k.removeprefix("loss_") for r in rows for k in r if k.startswith("loss_")})  # every game's own
    terms = [("adv_g", "G adversarial"), ("cycle", "cycle"), ("identity", "identity"), ("l1", "L1"),  # translation
             ("nll", "G's NLL (MLE)"), ("reward", "G's reward")]  # SeqGAN
    sides = [(f"d_{s}_{k}", f"D_{k.upper()}({'x' if s == 'real' else 'fake'})") for k in "ab" for s in ("real", "fake")]
    panels = [
        ("losses", [(f"loss_{p}", f"loss_{p.upper()}") for p in players] + terms, None),
        ("D outputs", [("d_real", "D(x)"), ("d_fake", "D(G(z))"), *sides], 0.5),
        ("D accuracy", [("acc_real", "on real"), ("acc_fake", "on fake"), ("acc", "overall"), ("acc_a", "D_A"),
                        ("acc_b", "D_B")], 0.5),
        ("gradient norms", [(f"grad_norm_{p}", f"‖∇{p.upper()}‖") for p in players], None),
    ]
    for ax, (title, keys, hline) in zip(axes, panels):
        for key, label in keys:
            x, y = _series(rows, key)
            if len(x):
                ax.plot(x, y, label=label, lw=1.2)
        in_unit = all(0 <= r.get(k, 0.5) <= 1 for r in rows for k, _ in keys)
        if hline is not None and in_unit:  # raw critic outputs (WGAN, LSGAN...) have no 0.5 line
            ax.axhline(hline, color="k", ls="--", lw=0.8, label="equilibrium (0.5)")
            ax.set_ylim(-0.02, 1.02)
        if title == "gradient norms":
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:  # a panel can be empty early on (e.g. no D yet while SeqGAN pretrains)
            ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def plot_points(
    fake: np.ndarray,
    path: str | os.PathLike,
    real: np.ndarray | None = None,
    centres: np.ndarray | None = None,
    title: str = "",
) -> None:
    """Scatter generated 2-D points over real points and the mixture's mode centres."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=2, c="tab:gray", alpha=0.3, label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=2, c="tab:blue", alpha=0.5, label="generated")
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], s=40, marker="x", c="tab:red", label="modes")
    lim = float(np.abs(centres).max() * 1.4) if centres is not None else None
    if lim:
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper right", markerscale=3)
    _save(fig, path)


def pyplot() -> types.ModuleType:
    """matplotlib.pyplot on the non-interactive Agg backend."""
    return _pyplot()


def save_figure(fig: Figure, path: str | os.PathLike, provenance: Provenance | None = None) -> None:
    """Save a matplotlib figure as PNG atomically and close it (with `provenance`: its metadata, and no watermark).

    The watermark is a smooth change of the whole image's lowest frequencies: on a figure's white page it
    shows as grey clouds, and the 28-px samples these figures draw are below the mark's 64 px anyway.
    Rows of generated images (`plot_image_rows`) keep it: they are mostly images.
    """
    _save(fig, path, None if provenance is None else replace(provenance, watermark=False))


def plot_image_rows(rows: Sequence[tuple[str, np.ndarray]], path: str | os.PathLike, title: str = "",
                    provenance: Provenance | None = None) -> None:
    """Rows of images, each labelled on the left: e.g. input | translated | reconstructed (uint8 N×H×W or N×H×W×C)."""
    plt = _pyplot()
    strips = [make_grid(images, nrow=len(images), pad=2, min_tile=64) for _, images in rows]
    h, w = strips[0].shape[:2]
    fig, axes = plt.subplots(len(rows), 1, figsize=(max(4.0, w / 60), len(rows) * max(0.9, h / 60) + 0.4))
    axes = np.atleast_1d(axes)
    for ax, (label, _), strip in zip(axes, rows, strips):
        ax.imshow(strip, cmap="gray" if strip.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
        for side in ax.spines.values():
            side.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    _save(fig, path, provenance)
