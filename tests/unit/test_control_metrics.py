"""Control accuracy and intra-class FID against references on the same inputs."""

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, confusion_matrix

from gankit.metrics import fid
from gankit.metrics.base import MetricError
from gankit.metrics.control import control_accuracy, intra_class_fid

NAMES = ["a", "b", "c"]


def test_control_accuracy_matches_scikit_learn():
    g = torch.Generator().manual_seed(0)
    asked = torch.randint(0, 3, (500,), generator=g)
    judged = torch.where(torch.rand(500, generator=g) < 0.7, asked, torch.randint(0, 3, (500,), generator=g))
    r = control_accuracy(judged, asked, NAMES)
    assert r.value == pytest.approx(accuracy_score(asked.numpy(), judged.numpy()))
    cm = confusion_matrix(asked.numpy(), judged.numpy(), labels=[0, 1, 2])
    assert np.array_equal(np.array(r.extras["confusion"]), cm)
    for i, name in enumerate(NAMES):
        assert r.extras["per_class"][name] == pytest.approx(cm[i, i] / cm[i].sum())
    assert r.ci[0] < r.value < r.ci[1]


def test_intra_class_fid_is_the_mean_of_per_class_fids():
    g = torch.Generator().manual_seed(1)
    y_real, y_fake = torch.arange(300) % 3, torch.arange(240) % 3
    f_real = torch.randn(300, 4, generator=g) + y_real[:, None]
    f_fake = 1.3 * torch.randn(240, 4, generator=g) + 0.8 * y_fake[:, None]
    r = intra_class_fid(f_real, y_real, f_fake, y_fake, NAMES)
    per = [fid(f_real[y_real == k], f_fake[y_fake == k]).value for k in range(3)]
    assert r.value == pytest.approx(float(np.mean(per)), rel=1e-9)
    assert [r.extras["per_class"][n] for n in NAMES] == pytest.approx(per, rel=1e-9)
    with pytest.raises(MetricError, match="class 'c' has 100 real and 1 generated"):
        intra_class_fid(f_real, y_real, f_fake[:201], torch.tensor([0] * 100 + [1] * 100 + [2]), NAMES)


def test_a_tool_that_needs_a_domain_classifier_says_what_to_do_without_one():
    from gankit.metrics.features import domain_classifier_for

    with pytest.raises(MetricError, match="control accuracy needs a domain classifier, and folder has none.*"
                                          "fashion-mnist, digits.*leave out"):
        domain_classifier_for("folder", "control accuracy", "leave out the metric")
    assert domain_classifier_for("digits", "x", "y").info["test_accuracy"] > 0.9
