"""`gankit detect eval`: a detector's AP, accuracy and ROC AUC per generator, clean and after degradations.

AP and accuracy come with stratified percentile-bootstrap intervals. Each robustness row applies
one degradation (JPEG 90/75/50, a 0.5× resize, a σ = 1 blur, a 7/8 centre crop) to the real and the
generated images alike; what changes size is brought back to the detector's size, as scoring does.
The card records how the numbers were made, as `gankit eval`'s metric card does.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from gankit.augment.degrade import ROBUSTNESS
from gankit.detect.detector import WEIGHTS, Detector
from gankit.detect.inputs import Images, conform_all
from gankit.errors import GankitWarning
from gankit.metrics.detection import accuracy, average_precision, bootstrap_interval, roc_auc
from gankit.version import __version__

CLEAN = "clean"


def _scores(det: Detector, images: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():  # a degradation that changes size is brought back on purpose
        warnings.simplefilter("ignore", GankitWarning)
        return det.score(Images(images, [], "degraded"))


def _row(scores: np.ndarray, labels: np.ndarray, n_boot: int, seed: int) -> dict[str, Any]:
    return {"ap": average_precision(scores, labels),
            "ap_ci": bootstrap_interval(average_precision, scores, labels, n_boot, seed=seed),
            "accuracy": accuracy(scores, labels),
            "accuracy_ci": bootstrap_interval(accuracy, scores, labels, n_boot, seed=seed),
            "roc_auc": roc_auc(scores, labels),
            "flagged_real": float(np.mean(scores[labels == 0] >= 0.5)),
            "flagged_generated": float(np.mean(scores[labels == 1] >= 0.5))}


def _trained_on(det: Detector) -> set[str]:
    generated = det.facts.get("trained_on", {}).get("generated", [])
    return {str(g.get("run") or g.get("path")) for g in generated}


def evaluate_detector(det: Detector, real: Images, fakes: Mapping[str, tuple[Images, dict[str, Any]]],
                      detector_path: str | Path, robustness: bool = True, n_boot: int = 1000,
                      seed: int = 0) -> dict[str, Any]:
    """The detection card: one row per (generator, condition) with AP [CI], accuracy [CI] and ROC AUC."""
    t0 = time.perf_counter()
    real = conform_all(real, det.shape, "evaluation")
    conditions = {CLEAN: lambda x: x, **(ROBUSTNESS if robustness else {})}
    real_scores = {name: _scores(det, f(real.array)) for name, f in conditions.items()}
    seen = _trained_on(det)
    rows = []
    for name, (images, origin) in fakes.items():
        images = conform_all(images, det.shape, "evaluation")
        for condition, f in conditions.items():
            scores = np.r_[real_scores[condition], _scores(det, f(images.array))]
            labels = np.r_[np.zeros(len(real)), np.ones(len(images))]
            rows.append({"generator": name, "condition": condition, "n_real": len(real), "n_generated": len(images),
                         "seen_in_training": str(origin.get("run") or origin.get("path")) in seen,
                         **_row(scores, labels, n_boot, seed)})
    weights = Path(detector_path) / WEIGHTS
    return {"kind": "detection", "rows": rows,
            "detector": {"path": str(detector_path), "method": det.method, "shape": list(det.shape),
                         "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest()[:16],
                         "calibration": det.calibration.method, "trained_on": det.facts.get("trained_on", {})},
            "real": {"source": real.source, "n": len(real)},
            "generated": {name: origin for name, (_, origin) in fakes.items()},
            "provenance": {"gankit": __version__, "positive_class": "generated", "threshold": 0.5,
                           "bootstrap": {"n": n_boot, "level": 0.95, "stratified": True, "seed": seed},
                           "conditions": list(conditions), "seconds": round(time.perf_counter() - t0, 1),
                           "created": time.strftime("%Y-%m-%d %H:%M:%S")}}


def format_detection_card(card: dict[str, Any]) -> str:
    """The card as a table: one line per generator and condition."""
    d = card["detector"]
    lines = [f"detector {d['path']} ({d['method']}, {d['shape'][2]}x{d['shape'][1]}x{d['shape'][0]}, "
             f"{d['calibration']} calibration); real: {card['real']['source']} ({card['real']['n']})",
             f"{'generator':<24} {'condition':<12} {'AP [95% CI]':<26} {'accuracy [95% CI]':<26} {'ROC AUC':>7}"]
    for r in card["rows"]:
        name = r["generator"] + (" *" if r["seen_in_training"] else "")
        lines.append(f"{name:<24} {r['condition']:<12} {r['ap']:.4f} [{r['ap_ci'][0]:.4f}, {r['ap_ci'][1]:.4f}]   "
                     f"{r['accuracy']:.4f} [{r['accuracy_ci'][0]:.4f}, {r['accuracy_ci'][1]:.4f}]   {r['roc_auc']:7.4f}")
    if any(r["seen_in_training"] for r in card["rows"]):
        lines.append("* the detector was trained on this generator (on other samples of it)")
    return "\n".join(lines)
