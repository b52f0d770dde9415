"""Scores of a real-vs-generated detector: average precision, ROC AUC, accuracy, bootstrap intervals.

Generated images are the positive class (label 1) and a score is the probability of being generated,
as in CNNDetection (Wang et al. 2020), which reports AP and accuracy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores, labels = np.asarray(scores, dtype=np.float64).ravel(), np.asarray(labels).ravel().astype(bool)
    if scores.shape != labels.shape:
        raise ValueError(f"{len(scores)} scores but {len(labels)} labels")
    if labels.all() or not labels.any():
        raise ValueError("the scores need both classes: real (label 0) and generated (label 1) images")
    return scores, labels


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """AP = Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds, high to low (scikit-learn's definition).

    scores, labels: shape (N,); labels 1 for generated. Tied scores form one threshold.
    """
    scores, labels = _check(scores, labels)
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last index of each group of tied scores
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..N of x, tied values sharing the mean of their ranks (scipy.stats.rankdata's 'average', without
    importing scipy.stats, which costs the CLI's start-up 0.4 s)."""
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="mergesort")] = np.arange(1, len(x) + 1)
    _, group, size = np.unique(x, return_inverse=True, return_counts=True)
    return (np.bincount(group, weights=ranks) / size)[group]


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC = P(score of a generated image > score of a real one) + ½ P(tie): the Mann–Whitney U over n₁n₀.

    scores, labels: shape (N,); ties get average ranks.
    """
    scores, labels = _check(scores, labels)
    ranks = _average_ranks(scores)
    n1, n0 = int(labels.sum()), int((~labels).sum())
    return float((ranks[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def accuracy(scores: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> float:
    """The share of images on the right side of `threshold` (score ≥ threshold: generated)."""
    scores, labels = _check(scores, labels)
    return float(np.mean((scores >= threshold) == labels))


def bootstrap_interval(metric: Callable[[np.ndarray, np.ndarray], float], scores: np.ndarray, labels: np.ndarray,
                       n: int = 1000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """The percentile bootstrap interval of `metric`, resampling real and generated images apart (stratified)."""
    scores, labels = _check(scores, labels)
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(labels), np.flatnonzero(~labels)
    values = np.empty(n)
    for i in range(n):
        idx = np.r_[rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]
        values[i] = metric(scores[idx], labels[idx])
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)
