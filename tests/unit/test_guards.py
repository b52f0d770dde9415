"""The divergence guard: non-finite and runaway losses, and a discriminator that has won."""

import pytest

from gankit.errors import TrainingDiverged
from gankit.training.guards import DivergenceGuard

OK = {"loss_d": 1.3, "loss_g": 0.8, "acc_real": 0.6, "acc_fake": 0.55}


def test_healthy_rows_pass():
    g = DivergenceGuard(max_loss=100, d_win_steps=100)
    for step in range(0, 1000, 50):
        g.check(step, OK)


@pytest.mark.parametrize("key, value", [("loss_d", float("nan")), ("loss_g", float("inf")), ("grad_norm_d", float("nan"))])
def test_non_finite(key, value):
    with pytest.raises(TrainingDiverged, match=key):
        DivergenceGuard().check(10, {**OK, key: value})


def test_runaway_loss():
    with pytest.raises(TrainingDiverged, match="guard.max_loss"):
        DivergenceGuard(max_loss=10).check(10, {**OK, "loss_g": 11.0})


def test_d_win_needs_a_sustained_win():
    g = DivergenceGuard(d_win_steps=100)
    won = {**OK, "acc_real": 1.0, "acc_fake": 0.995}
    g.check(50, won)
    g.check(100, won)
    g.check(150, OK)  # G fought back: the clock restarts
    g.check(200, won)
    g.check(250, won)
    with pytest.raises(TrainingDiverged, match="D has won.*from step 200 to 300"):
        g.check(300, won)


def test_d_win_off_by_default():
    g = DivergenceGuard()
    for step in range(0, 10_000, 50):
        g.check(step, {**OK, "acc_real": 1.0, "acc_fake": 1.0})
