"""Discriminator rejection: which candidates are kept, and what is refused."""

import numpy as np
import pytest
import torch

from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.sampling.rejection import check_reject_fraction, check_scorable, data_thresholds, rejection_sample


def test_threshold_is_the_quantile_of_the_real_scores_per_class():
    g = torch.Generator().manual_seed(0)
    scores, labels = torch.randn(1000, generator=g), torch.arange(1000) % 3
    one = data_thresholds(scores, 0.05)
    assert one.shape == (1,) and one.item() == pytest.approx(np.quantile(scores.numpy(), 0.05), abs=1e-6)
    per = data_thresholds(scores, 0.05, labels, num_classes=3)
    ref = [np.quantile(scores[labels == c].numpy(), 0.05) for c in range(3)]
    assert per.tolist() == pytest.approx(ref, abs=1e-6)
    with pytest.raises(ValueError, match="no real score of class 3"):
        data_thresholds(scores, 0.05, labels, num_classes=4)


def _counter():
    """A draw function giving the integers 0, 1, 2, ... as one-number samples, in order."""
    state = {"next": 0}

    def draw(k, labels):
        x = torch.arange(state["next"], state["next"] + k, dtype=torch.float).reshape(k, 1)
        state["next"] += k
        return x

    return draw


def test_each_slot_holds_its_first_accepted_draw():
    # D accepts odd numbers only: round 1 draws 0-3 (slots 1, 3 filled), round 2 draws 4, 5 for slots
    # 0, 2 (slot 2 filled), then slot 0 gets 6 (refused) and 7
    x = rejection_sample(4, None, _counter(), lambda x, lab: x % 2, torch.tensor([1.0]))
    assert x.reshape(-1).tolist() == [7, 1, 5, 3]


def test_conditional_slots_use_their_class_threshold():
    labels = torch.tensor([0, 1, 0, 1])
    # class 0 accepts everything (τ = -inf), class 1 only scores >= 4
    x = rejection_sample(4, labels, _counter(), lambda x, lab: x, torch.tensor([-float("inf"), 4.0]))
    assert x.reshape(-1).tolist() == [0, 4, 2, 5]  # round 1: 0-3; round 2 draws 4, 5 for slots 1, 3


def test_a_d_that_accepts_almost_nothing_is_reported():
    with pytest.raises(ConfigError, match=r"D accepted only 0 of 30 candidates in 3 rounds"):
        rejection_sample(10, None, _counter(), lambda x, lab: -x, torch.tensor([1.0]), max_rounds=3)


@pytest.mark.parametrize("q", [-0.1, 0.6, "0.1"])
def test_reject_fraction_out_of_range_is_refused(q):
    with pytest.raises(ConfigError, match=r"reject must be the fraction in \[0, 0.5\] of the real data"):
        check_reject_fraction(q)


def test_config_refuses_a_bad_fraction_and_rejection_with_packing():
    with pytest.raises(ConfigError, match=r"sample.reject must be the fraction in \[0, 0.5\]"):
        load_config("ring8", ["sample.reject=0.9"])
    with pytest.raises(ConfigError, match="model.pack=2 D judges packs of 2 samples.*sample.reject=0.01 needs that"):
        load_config("ring8", ["model.pack=2"])
    assert load_config("ring8", ["model.pack=2", "sample.reject=0"]).model.pack == 2


@pytest.mark.parametrize("objective", ["wgan", "wgan-gp"])
def test_rejection_by_a_wasserstein_critic_is_refused(objective):
    with pytest.raises(ConfigError, match="Wasserstein critic"):
        load_config("ring8", [f"loss.objective={objective}"])
    with pytest.raises(ConfigError, match="reject=0.1 needs a D that classifies real and fake"):
        check_scorable(0.1, objective, 1, "reject")
    check_scorable(0.0, objective, 1)  # no rejection: nothing to refuse
    check_scorable(0.1, "hinge", 1)


def test_evaluation_during_training_refuses_rejection():
    from gankit.evaluation import LiveRun

    live = LiveRun(state=None, kind="points", z_dim=2, path=None)
    assert live.sample_reject == 0.0
    with pytest.raises(ConfigError, match="scores the generator alone"):
        live.sample(10, reject=0.1)
