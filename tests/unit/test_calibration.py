"""Platt and isotonic calibration of detector scores."""

import numpy as np
import pytest

from gankit.detect.calibration import Calibration, fit_calibration


def test_platt_recovers_a_known_logistic():
    rng = np.random.default_rng(0)
    raw = rng.normal(0, 3, 20000)
    labels = rng.random(20000) < 1 / (1 + np.exp(-(0.5 * raw - 1.0)))
    cal = fit_calibration(raw, labels, "platt")
    assert cal.params["a"] == pytest.approx(0.5, abs=0.03)
    assert cal.params["b"] == pytest.approx(-1.0, abs=0.06)
    assert Calibration.from_dict(cal.to_dict())(np.array([2.0])) == pytest.approx(cal(np.array([2.0])))


def test_isotonic_is_monotone_and_calibrated_on_average():
    rng = np.random.default_rng(1)
    raw = rng.normal(0, 1, 5000)
    labels = rng.random(5000) < 1 / (1 + np.exp(-3 * raw))
    cal = fit_calibration(raw, labels, "isotonic")
    p = cal(np.sort(raw))
    assert np.all(np.diff(p) >= 0)
    assert cal(raw).mean() == pytest.approx(labels.mean(), abs=1e-6)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="platt, isotonic"):
        fit_calibration(np.zeros(4), np.array([0, 1, 0, 1]), "beta")
