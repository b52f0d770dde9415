"""`gankit detect train`: fit a detector on real images against generated ones, calibrate it, and score it held out.

Each class is split 70 / 15 / 15: the detector fits on the first part, its calibration (Platt or
isotonic) on the second, and the third gives the held-out AP, accuracy and ROC AUC written into the
detector's folder. The two classes are balanced by a seeded subset of the larger one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gankit.detect.calibration import Calibration, fit_calibration
from gankit.detect.cnn import fit_cnn
from gankit.detect.detector import METHODS, Detector
from gankit.detect.figures import plot_spectra
from gankit.detect.inputs import Images, conform_all
from gankit.detect.linear import fit_linear
from gankit.detect.sources import Source
from gankit.errors import ConfigError, DataError
from gankit.metrics.detection import accuracy, average_precision, roc_auc
from gankit.model_card import record_detector

SPLIT = (0.70, 0.15, 0.15)  # fit, calibrate, held-out test
UNCALIBRATED = Calibration("platt", {"a": 1.0, "b": 0.0})  # σ(raw) until the calibration is fitted


def _split(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(n)
    a, b = int(SPLIT[0] * n), int((SPLIT[0] + SPLIT[1]) * n)
    return [order[:a], order[a:b], order[b:]]


def _pool(real: Images, fakes: Sequence[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Balanced real and generated images (the larger class subsampled)."""
    fake = np.concatenate(fakes)
    n = min(len(real), len(fake))
    if n < 20:
        raise DataError(f"{n} images per class is too few to train and calibrate a detector; give at least 20 of each")
    pick_real = rng.choice(len(real), n, replace=False)
    pick_fake = rng.choice(len(fake), n, replace=False)
    return real.array[pick_real], fake[pick_fake]


def _scores(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {"ap": average_precision(scores, labels), "accuracy": accuracy(scores, labels),
            "roc_auc": roc_auc(scores, labels), "n_real": int((labels == 0).sum()), "n_generated": int(labels.sum())}


def train_detector(real: Images, fakes: Sequence[Source], method: str, out: str | Path, calibration: str = "platt",
                   seed: int = 0, epochs: int = 6, progress: bool = True) -> Detector:
    """Fit, calibrate and score a detector of `method` ('cnn', 'spectral' or 'histogram'); save it to `out`."""
    if method not in METHODS:
        raise ConfigError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    if not fakes:
        raise ConfigError("give generated images: --fake RUN and/or --fake-images PATH")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    conformed = {f.name: conform_all(f.images, real.shape, f"training on {f.name}").array for f in fakes}
    x_real, x_fake = _pool(real, list(conformed.values()), rng)
    parts = [(np.concatenate([x_real[r], x_fake[f]]), np.r_[np.zeros(len(r)), np.ones(len(f))])
             for r, f in zip(_split(len(x_real), rng), _split(len(x_fake), rng))]
    (x_fit, y_fit), (x_cal, y_cal), (x_test, y_test) = parts
    model = (fit_cnn(x_fit, y_fit, epochs=epochs, seed=seed, progress=progress) if method == "cnn"
             else fit_linear(method, x_fit, y_fit))
    detector = Detector(method, real.shape, model, UNCALIBRATED)
    detector.calibration = fit_calibration(detector.raw(x_cal), y_cal, calibration)
    heldout = _scores(detector.calibration(detector.raw(x_test)), y_test)
    detector.facts = {
        "trained_on": {"real": {"source": real.source, "n": len(x_real)},
                       "generated": [{**f.origin, "name": f.name, "n": len(f.images)} for f in fakes]},
        "split": {"fit": len(y_fit), "calibrate": len(y_cal), "heldout": len(y_test)},
        "heldout": heldout, "seed": seed, "seconds": round(time.perf_counter() - t0, 1),
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    out = detector.save(out)
    plot_spectra(real.array, conformed, out / "spectra.png", detector)
    for f in fakes:
        if f.origin.get("kind") == "run":
            record_detector(Path(f.origin["path"]), out, method, heldout)
    return detector
