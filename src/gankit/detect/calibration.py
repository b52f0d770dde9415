"""Calibration: a detector's raw scores mapped to probabilities that mean what they say, fitted on held-out images.

Platt scaling (Platt 1999) fits p = σ(a·s + b) by logistic regression on the raw score s; isotonic
regression (Zadrozny & Elkan 2002) fits a monotone step function. Either is fitted on a split the
detector did not train on, so that 0.5 is a threshold at which real and generated are equally likely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

METHODS = ("platt", "isotonic")


@dataclass
class Calibration:
    """A fitted map from raw scores to probabilities of being generated."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        """Probabilities for raw scores (any shape)."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.method == "platt":
            return 1.0 / (1.0 + np.exp(-(self.params["a"] * raw + self.params["b"])))
        return np.interp(raw, self.params["x"], self.params["y"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"method": self.method, **self.params}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        """Inverse of to_dict."""
        params = {k: v for k, v in d.items() if k != "method"}
        return cls(d["method"], params)


def fit_calibration(raw: np.ndarray, labels: np.ndarray, method: str = "platt") -> Calibration:
    """Fit Platt or isotonic scaling of raw scores (N,) to labels (N,; 1 = generated)."""
    if method not in METHODS:
        raise ValueError(f"calibration must be one of {', '.join(METHODS)}, got {method!r}")
    from sklearn.isotonic import IsotonicRegression  # lazy: heavy (about a second to import): loaded only on the path that needs it
    from sklearn.linear_model import LogisticRegression  # lazy: heavy (about a second to import): loaded only on the path that needs it

    raw, labels = np.asarray(raw, dtype=np.float64).ravel(), np.asarray(labels).ravel().astype(int)
    if method == "platt":
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(raw[:, None], labels)
        return Calibration("platt", {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])})
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, labels)
    return Calibration("isotonic", {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()})
