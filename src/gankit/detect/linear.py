"""The linear detectors: per-image statistics, standardised, and a logistic regression.

- `spectral`: the azimuthal power spectrum (Durall et al. 2020; Frank et al. 2020), `spectrum.py`;
- `histogram`: the log count of every intensity level per channel, the saturation cues of McCloskey &
  Albright 2019: a generator's output layer (tanh, normalisation) under- or over-produces the exact
  black, white and other levels of real photographs and scans, which its discriminator barely sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gankit.detect.spectrum import azimuthal_spectrum


def intensity_histogram(images: np.ndarray) -> np.ndarray:
    """log(1 + count) of each of the 256 levels in each channel: N×(256·C) for uint8 N×H×W×C images."""
    n, h, w, c = images.shape
    flat = images.reshape(n, h * w, c).astype(np.int64) + 256 * np.arange(c)  # channel k's levels at 256·k
    counts = np.stack([np.bincount(x.ravel(), minlength=256 * c) for x in flat])
    return np.log1p(counts)


FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {"spectral": azimuthal_spectrum,
                                                            "histogram": intensity_histogram}


@dataclass
class LinearModel:
    """raw(x) = ((features(x) − mean) / scale) · coef + intercept: the log-odds of being generated before calibration."""

    features: str
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def raw(self, images: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Raw scores (N,) of uint8 N×H×W×C images."""
        f = FEATURES[self.features]
        parts = [self.decision(f(images[i : i + batch_size])) for i in range(0, len(images), batch_size)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def decision(self, features: np.ndarray) -> np.ndarray:
        """Raw scores of feature vectors (N×D)."""
        return ((features - self.mean) / self.scale) @ self.coef + self.intercept

    def arrays(self) -> dict[str, np.ndarray]:
        """The parameters as named arrays (for safetensors)."""
        return {"mean": self.mean, "scale": self.scale, "coef": self.coef, "intercept": np.array([self.intercept])}

    @classmethod
    def from_arrays(cls, features: str, a: dict[str, np.ndarray]) -> LinearModel:
        """Inverse of arrays()."""
        return cls(features, a["mean"], a["scale"], a["coef"], float(a["intercept"][0]))


def fit_linear(features: str, images: np.ndarray, labels: np.ndarray, c: float = 1.0) -> LinearModel:
    """Fit a linear detector on `features` ('spectral' or 'histogram') of uint8 images N×H×W×C (labels 1 = generated)."""
    from sklearn.linear_model import LogisticRegression  # lazy: heavy (about a second to import): loaded only on the path that needs it

    x = FEATURES[features](images)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    lr = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, labels.astype(int))
    return LinearModel(features, mean, scale, lr.coef_[0].astype(np.float64), float(lr.intercept_[0]))
