"""Discriminator rejection: which candidates are kept, and what is refused."""

import pytest
import torch

from gankit.config import load_config
from gankit.errors import ConfigError
from gankit.rejection import check_reject_fraction, keep_most_real


def test_unconditional_plan_keeps_the_n_best_scored_in_draw_order():
    plan = keep_most_real(8, 0.2)
    assert plan.n_candidates == 10  # ⌈8 / 0.8⌉
    scores = torch.tensor([5.0, -3.0, 2.0, 9.0, -1.0, 0.0, 7.0, -8.0, 1.0, 3.0])
    kept = plan.select(scores)
    assert kept.tolist() == [0, 2, 3, 4, 5, 6, 8, 9]  # the two lowest (-3, -8) are turned away


def test_conditional_plan_rejects_within_each_class_and_keeps_every_slot_its_class():
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    plan = keep_most_real(8, 0.25, labels)
    assert plan.n_candidates == 4 + 4 + 3  # ⌈3/0.75⌉ + ⌈3/0.75⌉ + ⌈2/0.75⌉
    scores = torch.arange(plan.n_candidates, dtype=torch.float).flip(0)  # earlier candidates score higher
    kept = plan.select(scores)
    assert torch.equal(plan.candidate_labels[kept], labels)
    for cls in range(3):  # per class: the best-scored candidates of that class, the worst one rejected
        block = (plan.candidate_labels == cls).nonzero().reshape(-1)
        assert kept[labels == cls].tolist() == block[: int((labels == cls).sum())].tolist()


def test_select_refuses_scores_of_the_wrong_length():
    with pytest.raises(ValueError, match="expected 10 scores"):
        keep_most_real(8, 0.2).select(torch.zeros(8))


@pytest.mark.parametrize("q", [-0.1, 0.6, "0.1"])
def test_reject_fraction_out_of_range_is_refused(q):
    with pytest.raises(ConfigError, match=r"reject must be a fraction in \[0, 0.5\]"):
        check_reject_fraction(q)


def test_config_refuses_a_bad_fraction_and_rejection_with_packing():
    with pytest.raises(ConfigError, match=r"sample.reject must be a fraction in \[0, 0.5\]"):
        load_config("ring8", ["sample.reject=0.9"])
    with pytest.raises(ConfigError, match="model.pack=2"):
        load_config("ring8", ["model.pack=2"])
    assert load_config("ring8", ["model.pack=2", "sample.reject=0"]).model.pack == 2


def test_evaluation_during_training_refuses_rejection():
    from gankit.evaluation import LiveRun

    live = LiveRun(state=None, kind="points", z_dim=2, path=None)
    assert live.sample_reject == 0.0
    with pytest.raises(ConfigError, match="scores the generator alone"):
        live.sample(10, reject=0.1)
