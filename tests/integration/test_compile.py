"""train.compile: the compiled game trains like the eager one, gradient penalties included (they run eagerly)."""

import pytest
import torch

import gankit
from gankit.training.callbacks import read_metrics

FAST = {"log.progress": False, "log.report": "none", "log.tensorboard": False, "train.steps": 4, "log.every": 2,
        "data.n": 512, "train.batch_size": 32, "loss.r1": 0.1}


def test_compiled_run_matches_the_eager_run(tmp_path):
    eager = gankit.train("ring8-tiny", out=tmp_path / "e", overrides=FAST)
    compiled = gankit.train("ring8-tiny", out=tmp_path / "c", overrides={**FAST, "train.compile": True})
    a, b = read_metrics(eager.path / "metrics.csv"), read_metrics(compiled.path / "metrics.csv")
    for key in ("loss_d", "loss_g", "pen_r1"):
        assert [r[key] for r in b] == pytest.approx([r[key] for r in a], rel=1e-4, abs=1e-6), key
    assert torch.allclose(eager.sample(64), compiled.sample(64), atol=1e-4)
