"""R-precision on a hand case, at its extremes and at chance, with ties as misses; mismatch sampling never picks one's own text."""

import pytest
import torch

from gankit.metrics.base import MetricError
from gankit.metrics.r_precision import mismatch_indices, r_precision


def test_r_precision_by_hand():
    text = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [1.0, 1.0], [1.0, -1.0]])
    images = torch.tensor([[1.0, 0.1], [0.0, 1.0], [1.0, -0.2], [1.0, 0.0]])
    true = torch.tensor([0, 1, 0, 3])
    mismatch = torch.tensor([[1, 2, 3], [0, 2, 3], [1, 2, 4], [0, 1, 2]])
    # image 0: cos .995 vs at most .774 (hit); 1: 1 vs .707 (hit); 2: .981 vs .832 (hit); 3: .707 vs 1 (miss)
    mean, std = r_precision(images, text, true, mismatch, folds=2)  # folds {0, 1} → 1.0 and {2, 3} → 0.5
    assert mean == pytest.approx(0.75) and std == pytest.approx(0.25)
    assert r_precision(images, text, true, mismatch, folds=1) == pytest.approx((0.75, 0.0))


def test_perfect_embeddings_score_one():
    g = torch.Generator().manual_seed(0)
    text = torch.randn(300, 16, generator=g)
    true = torch.randint(0, 300, (500,), generator=g)
    mismatch = mismatch_indices(true, torch.arange(300), k=99, generator=g)
    assert r_precision(text[true] * 3.0, text, true, mismatch) == pytest.approx((1.0, 0.0))


def test_random_embeddings_score_chance():
    g = torch.Generator().manual_seed(1)
    n, k = 5000, 99
    text = torch.randn(1000, 8, generator=g)
    images = torch.randn(n, 8, generator=g)
    true = torch.randint(0, 1000, (n,), generator=g)
    mismatch = mismatch_indices(true, torch.arange(1000), k=k, generator=g)
    mean, std = r_precision(images, text, true, mismatch)
    assert abs(mean - 1 / (k + 1)) < 0.006  # 4 standard errors of a share of 5000 at 1%
    assert 0 < std < 0.03


def test_ties_are_misses():
    text = torch.tensor([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]])  # rows 0 and 1 point the same way
    images = torch.tensor([[1.0, 2.0], [0.0, 1.0]])
    mean, _ = r_precision(images, text, torch.tensor([0, 2]), torch.tensor([[1], [0]]), folds=1)
    assert mean == pytest.approx(0.5)  # image 0 ties with a mismatch: a miss; image 1 is a hit


def test_mismatches_never_share_the_text_and_are_distinct():
    g = torch.Generator().manual_seed(2)
    candidates = torch.arange(30).repeat(3)  # each text on 3 rows of text_emb
    captions = torch.randint(0, 30, (200,), generator=g)
    rows = mismatch_indices(captions, candidates, k=29, generator=g)
    assert rows.shape == (200, 29)
    texts = candidates[rows]
    assert (texts != captions[:, None]).all()
    assert all(len(set(r.tolist())) == 29 for r in texts)  # without replacement, one row per text
    assert len(set(rows.flatten().tolist())) > 60  # draws spread over the rows of a text, not only its first


def test_mismatch_indices_is_reproducible_and_says_when_texts_run_out():
    captions, candidates = torch.tensor([0, 1, 5]), torch.tensor([0, 1, 2, 3, 4, 2])
    a = mismatch_indices(captions, candidates, k=4, generator=torch.Generator().manual_seed(7))
    b = mismatch_indices(captions, candidates, k=4, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    with pytest.raises(MetricError, match="has only 4"):
        mismatch_indices(captions, candidates, k=5)  # 5 distinct texts, minus the image's own


def test_r_precision_rejects_bad_shapes():
    with pytest.raises(MetricError, match="dimension"):
        r_precision(torch.zeros(4, 2), torch.zeros(4, 3), torch.arange(4), torch.zeros(4, 1, dtype=torch.long))
    with pytest.raises(MetricError, match="folds"):
        r_precision(torch.ones(4, 2), torch.ones(4, 2), torch.arange(4), torch.zeros(4, 1, dtype=torch.long), folds=5)
