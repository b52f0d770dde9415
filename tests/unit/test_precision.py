"""train.precision=auto: settled once per run from a measurement, recorded in config.json, kept on resume; sampling's auto."""

import json

import pytest
import torch

import gankit
import gankit.build as build
import gankit.training.precision as precision
from gankit.config.io import load_config
from gankit.training.numerics import autocast
from gankit.training.precision import MIN_SPEEDUP, choose_precision, cpu_bf16_speedup, sampling_precision

FAST = {"log.progress": False, "log.report": "none", "log.every": 5, "log.checkpoint_every": 5,
        "data.n": 512, "train.batch_size": 32, "train.precision": "auto"}


def test_the_cpu_choice_follows_the_measured_speedup():
    speedup = cpu_bf16_speedup()
    assert speedup > 0 and cpu_bf16_speedup() == speedup  # measured once per process
    assert choose_precision(torch.device("cpu")) == ("bf16" if speedup >= MIN_SPEEDUP else "fp32")
    assert choose_precision(torch.device("meta")) == "fp32"


@pytest.mark.parametrize("amx", [True, False])
def test_sampling_auto_is_bf16_only_where_the_cpu_has_matrix_units(monkeypatch, amx):
    monkeypatch.setattr(precision, "has_amx", lambda: amx)
    assert sampling_precision("auto", torch.device("cpu")) == ("bf16" if amx else "fp32")
    assert sampling_precision("fp32", torch.device("cpu")) == "fp32" and sampling_precision("bf16", torch.device("cpu")) == "bf16"
    assert sampling_precision("auto", torch.device("meta")) == "fp32"
    with pytest.raises(ValueError, match="fp32, bf16, auto"):
        sampling_precision("fp16", torch.device("cpu"))


def test_the_measurement_leaves_the_random_stream_alone():
    cpu_bf16_speedup.cache_clear()
    torch.manual_seed(5)
    before = torch.random.get_rng_state()
    cpu_bf16_speedup()
    assert torch.equal(torch.random.get_rng_state(), before)


@pytest.mark.parametrize("measured", ["bf16", "fp32"])
def test_auto_is_settled_and_a_given_precision_kept(monkeypatch, measured):
    monkeypatch.setattr(build, "choose_precision", lambda device: measured)
    cfg = load_config("ring8-tiny", {"train.precision": "auto"})
    assert build.settle_precision(cfg, torch.device("cpu")).train.precision == measured
    fixed = load_config("ring8-tiny", {"train.precision": "fp32"})
    assert build.settle_precision(fixed, torch.device("cpu")) is fixed


def test_autocast_refuses_an_unsettled_precision():
    with pytest.raises(ValueError, match="unsettled"):
        autocast("auto", torch.device("cpu"))


def test_a_run_records_its_choice_and_a_resume_keeps_it(monkeypatch, tmp_path):
    """config.json says what auto chose; a resume on a machine that would choose otherwise keeps the run's game."""
    monkeypatch.setattr(build, "choose_precision", lambda device: "bf16")
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**FAST, "train.steps": 10})
    saved = json.loads((run.path / "config.json").read_text())
    assert saved["train"]["precision"] == "bf16"
    monkeypatch.setattr(build, "choose_precision", lambda device: "fp32")
    resumed = gankit.train(resume=run.path, overrides={"train.steps": 15})
    assert json.loads((resumed.path / "config.json").read_text())["train"]["precision"] == "bf16"
