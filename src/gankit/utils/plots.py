"""Figures of the game: loss, D-output and D-accuracy curves, and 2-D sample scatter plots."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from gankit.utils.atomic import atomic_path


def _pyplot():
    import matplotlib  # lazy: pyplot on first use only, so importing gankit never picks a backend for the user's session

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt  # lazy: pyplot on first use only, so importing gankit never picks a backend for the user's session

    return plt


def _save(fig, path: str | os.PathLike) -> None:

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
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
    panels = [
        ("losses", [(f"loss_{p}", f"loss_{p.upper()}") for p in players], None),
        ("D outputs", [("d_real", "D(x)"), ("d_fake", "D(G(z))")], 0.5),
        ("D accuracy", [("acc_real", "on real"), ("acc_fake", "on fake"), ("acc", "overall")], 0.5),
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


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend."""
    return _pyplot()


def save_figure(fig, path: str | os.PathLike) -> None:
    """Save a matplotlib figure as PNG atomically and close it."""
    _save(fig, path)
