"""AP, ROC AUC, accuracy and bootstrap intervals of detectors, against scikit-learn and closed forms."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from gankit.metrics.detection import accuracy, average_precision, bootstrap_interval, roc_auc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ap_and_auc_match_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 500)
    scores = np.round(rng.normal(labels * 0.8, 1.0), 1)  # rounding makes many ties
    assert average_precision(scores, labels) == pytest.approx(average_precision_score(labels, scores), abs=1e-12)
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_closed_forms():
    # ranking: generated 0.9, real 0.8, generated 0.7, real 0.1 -> AP = (1·1 + ½·⅔) = 0.8333, AUC = 3/4
    scores, labels = np.array([0.9, 0.8, 0.7, 0.1]), np.array([1, 0, 1, 0])
    assert average_precision(scores, labels) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert roc_auc(scores, labels) == pytest.approx(0.75)
    assert accuracy(scores, labels) == pytest.approx(0.75)  # only the real image at 0.8 is on the wrong side of 0.5
    perfect = np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1])
    assert average_precision(*perfect) == 1.0 and roc_auc(*perfect) == 1.0 and accuracy(*perfect) == 1.0


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="both classes"):
        average_precision(np.array([0.1, 0.2]), np.array([1, 1]))


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded():
    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(300), np.ones(300)]
    scores = rng.normal(labels, 1.0)
    lo, hi = bootstrap_interval(average_precision, scores, labels, n=300, seed=3)
    assert lo < average_precision(scores, labels) < hi
    assert (lo, hi) == bootstrap_interval(average_precision, scores, labels, n=300, seed=3)
    assert 0.02 < hi - lo < 0.2  # about ±2 standard errors of an AP near 0.76 on 600 images
