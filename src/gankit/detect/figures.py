"""The spectral picture of a detector: the mean power spectra of real and generated images, and what it weighs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from gankit.detect.detector import Detector
from gankit.detect.linear import LinearModel
from gankit.detect.spectrum import azimuthal_spectrum
from gankit.utils.plots import pyplot, save_figure

MAX_IMAGES = 2000  # per curve: the mean spectrum is settled well before


def plot_spectra(real: np.ndarray, fakes: Mapping[str, np.ndarray], path: str | Path,
                 detector: Detector | None = None) -> Path:
    """Mean azimuthal spectrum (± 1 std) of real and of each generated set; with a spectral detector, its weights."""
    plt = pyplot()
    model = getattr(detector, "model", None)
    weights = isinstance(model, LinearModel) and model.features == "spectral"
    fig, axes = plt.subplots(1, 2 if weights else 1, figsize=(10 if weights else 5.5, 3.8), squeeze=False)
    ax = axes[0, 0]
    for i, (name, images) in enumerate({"real": real, **fakes}.items()):
        spectra = azimuthal_spectrum(images[:MAX_IMAGES])
        mean, std = spectra.mean(0), spectra.std(0)
        r = np.arange(len(mean))
        colour = "black" if i == 0 else f"C{i - 1}"
        ax.plot(r, mean, color=colour, lw=2 if i == 0 else 1.4, label=f"{name} ({len(images)})")
        ax.fill_between(r, mean - std, mean + std, color=colour, alpha=0.12)
    ax.set_xlabel("spatial frequency (DCT ring, half-cycles per image)")
    ax.set_ylabel("log10 mean power on the ring")
    ax.set_title("azimuthally averaged power spectrum")
    ax.legend(fontsize=8)
    if weights:
        w = detector.model.coef / detector.model.scale  # per unit of log power: what one ring's excess adds
        axes[0, 1].bar(np.arange(len(w)), w, color=np.where(w > 0, "C3", "C0"))
        axes[0, 1].axhline(0, color="black", lw=0.8)
        axes[0, 1].set_xlabel("spatial frequency (DCT ring, half-cycles per image)")
        axes[0, 1].set_ylabel("logistic weight (→ generated)")
        axes[0, 1].set_title("what the spectral detector weighs")
    fig.tight_layout()
    save_figure(fig, path)
    return Path(path)
