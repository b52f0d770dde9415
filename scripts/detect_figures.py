"""The figures of docs/detection.md, from what `make bench-detect` left in bench/out/detect.

    python scripts/detect_figures.py [--out docs/figures]

- detect-generators.png: 12 real Fashion-MNIST test images, then 12 samples of each generator;
- detect-spectra.png: the spectral detector trained on fashion-dcgan (mean spectra of real and of every
  generator, and the detector's weights);
- detect-histograms.png: the mean intensity histograms of real images and of each generator.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.detect import GENERATORS, _fakes, _real
from gankit.detect import load_detector
from gankit.detect.figures import plot_spectra
from gankit.detect.linear import intensity_histogram
from gankit.utils.plots import plot_image_rows, pyplot, save_figure


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=Path("bench/out/detect"))
    ap.add_argument("--out", type=Path, default=Path("docs/figures"))
    args = ap.parse_args()
    real = _real("test", 2000, 1)
    fakes = {g: _fakes(args.bench / "fakes", g, 5000, 2000, held=True) for g in GENERATORS}
    rows = [("real", real.array[:12, ..., 0])] + [(g, f.array[:12, ..., 0]) for g, f in fakes.items()]
    plot_image_rows(rows, args.out / "detect-generators.png")
    det = load_detector(args.bench / "detectors" / "spectral-fashion-dcgan")
    plot_spectra(real.array, {g: f.array for g, f in fakes.items()}, args.out / "detect-spectra.png", det)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for i, (name, x) in enumerate({"real": real.array, **{g: f.array for g, f in fakes.items()}}.items()):
        h = np.expm1(intensity_histogram(x)).mean(0) / (x.shape[1] * x.shape[2])
        ax.semilogy(np.arange(256), h + 1e-6, color="black" if i == 0 else f"C{i - 1}", lw=2 if i == 0 else 1,
                    label=name)
    ax.set_xlabel("intensity level")
    ax.set_ylabel("share of pixels")
    ax.set_title("mean intensity histograms: what the histogram detector reads")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    save_figure(fig, args.out / "detect-histograms.png")


if __name__ == "__main__":
    main()
