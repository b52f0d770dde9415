"""The snapshot mixture's schedule and split (gankit.mixture), and its config refusals."""

import pytest
import torch

from gankit.config.io import load_config
from gankit.errors import ConfigError
from gankit.sampling.mixture import member_counts, snapshot_steps


def test_snapshot_steps_by_hand():
    assert snapshot_steps(6000, 0.2, 250) == [5000, 5250, 5500, 5750, 6000]
    assert snapshot_steps(10000, 0.05, 100) == [9500 + 100 * i for i in range(6)]
    assert snapshot_steps(1000, 0.25, 300) == [900, 1000]  # the last step always, on a multiple or not
    assert snapshot_steps(30, 0.5, 4) == [16, 20, 24, 28, 30]
    assert snapshot_steps(6000, 0.0, 250) == []


@pytest.mark.parametrize("n, k", [(2500, 5), (103, 5), (7, 11), (0, 3), (12, 1)])
def test_member_counts_split_evenly_and_reproducibly(n, k):
    counts = member_counts(n, k, seed=3)
    assert counts.sum() == n and len(counts) == k
    assert int(counts.max() - counts.min()) <= 1  # a stratified uniform mixture
    assert torch.equal(counts, member_counts(n, k, seed=3))


def test_the_left_over_samples_go_to_members_chosen_by_seed():
    picks = {tuple(member_counts(103, 5, seed=s).tolist()) for s in range(20)}
    assert len(picks) > 1


@pytest.mark.parametrize("key, value, words", [
    ("sample.mixture", 1.0, "fraction in [0, 1)"),
    ("sample.mixture", -0.1, "fraction in [0, 1)"),
    ("sample.mixture_every", 0, "whole number of steps"),
])
def test_bad_mixture_settings_are_refused_by_name(key, value, words):
    with pytest.raises(ConfigError) as e:
        load_config("ring8", [f"{key}={value}"])
    assert key in str(e.value) and words in str(e.value)
