"""Run folders: exact resume, signals, divergence, incompatible configs, never overwriting."""

import json
import os
import signal

import pytest
import torch
from safetensors.torch import load_file

import gankit
from gankit.errors import CheckpointError, TrainingDiverged, TrainingInterrupted
from gankit.training.callbacks import Callback, read_metrics
from gankit.training.checkpoint import latest_checkpoint

FAST = {"log.progress": False, "log.report": "none", "log.every": 5, "log.checkpoint_every": 10}
# A constant learning rate here: a decaying schedule depends on train.steps, so growing the run from 20
# to 30 steps changes it (the signal test below covers an interrupted run with the tiny preset's schedule).
PRESETS = {
    "ring8-tiny": {**FAST, "data.n": 2000, "train.batch_size": 64, "train.lr_schedule": "constant"},
    "digits-dcgan-tiny": {**FAST, "train.batch_size": 16},
    # StyleGAN2 with every stateful part: lazy R1, lazy path length (its running mean), style mixing draws
    "digits-stylegan2": {**FAST, "train.batch_size": 8, "model.arch": "stylegan2", "model.g_width": 4,
                         "model.d_width": 4, "model.g_depth": 2, "model.minibatch_std": True, "loss.r1": 0.01,
                         "loss.reg_every": 4, "loss.pl": 2.0, "loss.pl_every": 3, "train.style_mixing": 0.9,
                         "train.precision": "fp32", "train.channels_last": False},
}


def _state(run_path):
    ckpt = latest_checkpoint(run_path / "checkpoints")
    tensors = {n: load_file(str(ckpt / f"{n}.safetensors")) for n in ("G", "D", "G_ema")}
    extra = torch.load(ckpt / "state.pt", weights_only=True)
    return tensors, extra


def _assert_identical(a, b):
    ta, ea = _state(a)
    tb, eb = _state(b)
    for net in ta:
        assert ta[net].keys() == tb[net].keys()
        for k in ta[net]:
            assert torch.equal(ta[net][k], tb[net][k]), f"{net}.{k} differs"
    for opt in ("opt_g", "opt_d"):
        for pid, st in ea[opt]["state"].items():
            for k, v in st.items():
                assert torch.equal(v, eb[opt]["state"][pid][k]), f"{opt}[{pid}].{k} differs"
    assert ea["step"] == eb["step"] and ea["batches"] == eb["batches"]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_resume_is_bit_exact(tmp_path, preset):
    over = PRESETS[preset]
    source = "digits-dcgan-tiny" if preset == "digits-stylegan2" else preset
    straight = gankit.train(source, out=tmp_path / "a", overrides={**over, "train.steps": 30})
    gankit.train(source, out=tmp_path / "b", overrides={**over, "train.steps": 20})
    resumed = gankit.train(resume=tmp_path / "b", overrides={"train.steps": 30})
    _assert_identical(straight.path, resumed.path)
    rows_a, rows_b = read_metrics(straight.path / "metrics.csv"), read_metrics(resumed.path / "metrics.csv")
    assert [r["step"] for r in rows_a] == [r["step"] for r in rows_b]
    assert [r["loss_d"] for r in rows_a] == [r["loss_d"] for r in rows_b]


class SendSignal(Callback):
    def __init__(self, at, sig):
        self.at, self.sig = at, sig

    def on_step(self, step):
        if step == self.at:
            os.kill(os.getpid(), self.sig)


@pytest.mark.parametrize("sig, extra", [(signal.SIGINT, {}), (signal.SIGTERM, {}),
                                        (signal.SIGTERM, {"augment.instance_noise": 0.1})])
def test_signal_writes_checkpoint_then_resume_is_exact(tmp_path, sig, extra):
    over = {**PRESETS["ring8-tiny"], "train.steps": 30, "train.lr_schedule": "linear", **extra}
    with pytest.raises(TrainingInterrupted, match="checkpoint written at step 13"):
        gankit.train("ring8-tiny", out=tmp_path / "b", overrides=over, callbacks=[SendSignal(13, sig)])
    assert json.loads((tmp_path / "b/checkpoints/latest.json").read_text())["step"] == 13
    assert signal.getsignal(sig) is not None  # the previous handler is back
    gankit.train(resume=tmp_path / "b")
    straight = gankit.train("ring8-tiny", out=tmp_path / "a", overrides=over)
    _assert_identical(straight.path, tmp_path / "b")


class Poison(Callback):
    def __init__(self, state_getter, at):
        self.get, self.at = state_getter, at

    def on_step(self, step):
        if step == self.at:
            with torch.no_grad():
                next(self.get().parameters()).fill_(float("nan"))


def test_nan_stops_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    import gankit.games.adversarial.build as adversarial

    captured = {}
    real_build = adversarial.build_state

    def spy(*a, **k):
        captured["state"] = real_build(*a, **k)
        return captured["state"]

    monkeypatch.setattr(adversarial, "build_state", spy)
    with pytest.raises(TrainingDiverged, match="loss_d became nan"):
        gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**PRESETS["ring8-tiny"], "train.steps": 40},
                     callbacks=[Poison(lambda: captured["state"].players["G"].net, 23)])
    ckpt = latest_checkpoint(tmp_path / "r/checkpoints")
    assert ckpt.name == "step_0000020"
    for net in ("G", "D", "G_ema"):
        assert all(torch.isfinite(t).all() for t in load_file(str(ckpt / f"{net}.safetensors")).values())


def test_cli_reports_divergence_with_exit_code_1(tmp_path, capsys):
    from gankit.cli.main import main

    rc = main(["train", "ring8-tiny", "--out", str(tmp_path / "r"), "--set", "train.lr_d=1e6", "--set", "train.lr_g=1e6",
               "--set", "guard.max_loss=50", "--set", "log.every=5", "--set", "log.progress=false"])
    err = capsys.readouterr().err
    assert rc == 1 and "error:" in err and ("diverged" in err or "ran away" in err)


def test_incompatible_resume_is_refused(tmp_path):
    gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**PRESETS["ring8-tiny"], "train.steps": 10})
    with pytest.raises(CheckpointError) as e:
        gankit.train(resume=tmp_path / "r", overrides={"train.lr_d": 0.5, "model.d_width": 8})
    msg = str(e.value)
    assert "train.lr_d" in msg and "model.d_width" in msg and "Start a new run" in msg
    with pytest.raises(CheckpointError, match="not a run folder"):
        gankit.train(resume=tmp_path / "nothing")


def test_existing_run_is_never_overwritten(tmp_path):
    over = {**PRESETS["ring8-tiny"], "train.steps": 5}
    first = gankit.train("ring8-tiny", out=tmp_path / "run", overrides=over)
    stamp = (first.path / "config.json").read_text()
    second = gankit.train("ring8-tiny", out=tmp_path / "run", overrides={**over, "seed": 3})
    third = gankit.train("ring8-tiny", out=tmp_path / "run", overrides=over)
    assert (first.path.name, second.path.name, third.path.name) == ("run", "run-2", "run-3")
    assert (first.path / "config.json").read_text() == stamp


def test_sampling_needs_only_the_run_folder(tmp_path, tiny_fashion):
    import shutil

    run = gankit.train("fashion-dcgan-tiny", out=tmp_path / "r",
                       overrides={**FAST, "data.path": str(tiny_fashion), "train.steps": 10})
    shutil.rmtree(tiny_fashion)
    reopened = gankit.load_run(run.path)
    a = reopened.sample_array(5, seed=4)
    assert a.shape == (5, 28, 28) and a.dtype.name == "uint8"
    assert (reopened.sample(5, seed=4) == gankit.load_run(run.path).sample(5, seed=4)).all()
    assert reopened.class_names[7] == "Sneaker"


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    """A crash while writing a checkpoint leaves the previous one as latest."""
    import gankit.training.checkpoint as ck

    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**PRESETS["ring8-tiny"], "train.steps": 10})
    before = latest_checkpoint(run.path / "checkpoints")

    def crash(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(ck.torch, "save", crash)
    with pytest.raises(OSError):
        gankit.train(resume=run.path, overrides={"train.steps": 20})
    assert latest_checkpoint(run.path / "checkpoints") == before
    assert sorted(p.name for p in (run.path / "checkpoints").iterdir() if p.name.startswith("step_")) == [before.name]


def test_time_budget_stops_with_a_checkpoint(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r",
                       overrides={**PRESETS["ring8-tiny"], "train.steps": 100_000, "train.budget_minutes": 0.01})
    step = json.loads((tmp_path / "r/checkpoints/latest.json").read_text())["step"]
    assert run.status == "budget" and 0 < step < 100_000
    assert read_metrics(run.path / "metrics.csv")[-1]["step"] == step


def test_written_files_get_ordinary_permissions(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**PRESETS["ring8-tiny"], "train.steps": 5})
    for name in ("config.json", "data.json", "checkpoints/latest.json"):
        assert (run.path / name).stat().st_mode & 0o044 == 0o044, name
