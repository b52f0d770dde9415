"""The snapshot-mixture sampler (sample.mixture): what training keeps, how the mixture draws, resume and refusals."""

import os
import signal

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import gankit
from gankit.errors import CheckpointError, ConfigError, TrainingInterrupted
from gankit.training.callbacks import Callback
from gankit.training.checkpoint import snapshot_dir

OVER = {"log.progress": False, "log.report": "none", "log.tensorboard": False, "log.every": 5,
        "log.checkpoint_every": 10, "data.n": 2000, "train.batch_size": 64, "train.steps": 30,
        "sample.mixture": 0.5, "sample.mixture_every": 4, "sample.reject": 0}
STEPS = [16, 20, 24, 28, 30]  # snapshot_steps(30, 0.5, 4)


def _snapshots(path):
    return sorted(p.name for p in (path / "snapshots").iterdir())


def test_training_keeps_the_sampling_g_and_d_at_the_snapshot_steps(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    assert _snapshots(run.path) == [f"step_{s:07d}" for s in STEPS]
    for s in STEPS:
        assert sorted(os.listdir(snapshot_dir(run.path / "snapshots", s))) == ["D.safetensors", "G_ema.safetensors", "manifest.json"]
    # the snapshot of a checkpointed step holds that checkpoint's sampling G and D
    for net in ("G_ema", "D"):
        a = load_file(str(snapshot_dir(run.path / "snapshots", 20) / f"{net}.safetensors"))
        b = load_file(str(run.path / "checkpoints/step_0000020" / f"{net}.safetensors"))
        assert all(torch.equal(a[k], b[k]) for k in a)
    assert [m.step for m in run.mixture_members()] == STEPS
    off = gankit.train("ring8-tiny", out=tmp_path / "off", overrides={**OVER, "sample.mixture": 0})
    assert not (off.path / "snapshots").exists() and off.mixture_members() == []


def _make_constant(path, step, value, net="G_ema"):
    """Overwrite a snapshot's network so that it outputs `value` for every input (its last layer: 0·h + value)."""
    f = snapshot_dir(path / "snapshots", step) / f"{net}.safetensors"
    sd = load_file(str(f))
    last = max((k for k in sd if k.endswith(".weight")), key=lambda k: int(k.split(".")[1]))  # net.<i>.weight
    w, b = last, last.replace(".weight", ".bias")
    sd[w] = torch.zeros_like(sd[w])
    sd[b] = torch.full_like(sd[b], float(value))
    save_file(sd, str(f))


def test_the_mixture_draws_every_snapshot_equally_in_random_order(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    for k, s in enumerate(STEPS):
        _make_constant(run.path, s, 10 * (k + 1))
    reopened = gankit.load_run(run.path)
    x = reopened.sample(103, seed=5)
    values, counts = torch.unique(x[:, 0], return_counts=True)
    assert values.tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert sorted(counts.tolist()) == [20, 20, 21, 21, 21]  # 103 / 5, the rest to random members
    assert len(torch.unique(x[:21, 0])) > 1  # slots are shuffled, not one member after another
    assert torch.equal(x, reopened.sample(103, seed=5)) and not torch.equal(x, reopened.sample(103, seed=6))
    alone = reopened.sample(103, seed=5, mixture=False)  # the final checkpoint's own G, untouched
    assert not torch.isin(alone[:, 0], values).any()



def test_with_rejection_each_snapshot_is_judged_by_its_own_d(tmp_path):
    """Members whose G and D are constants: their own D accepts everything, the final D (trained) would not."""
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    for k, s in enumerate(STEPS):
        _make_constant(run.path, s, 10 * (k + 1))
        _make_constant(run.path, s, 3.0, net="D")
    reopened = gankit.load_run(run.path)
    assert (reopened.realism(torch.tensor([[10.0, 10.0]])) < reopened.rejection_thresholds(0.05)).all()
    kept = reopened.sample(103, seed=5, reject=0.05)
    assert torch.equal(kept, reopened.sample(103, seed=5, reject=0))


def test_a_run_stopped_by_its_time_budget_mixes_what_it_kept(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r",
                       overrides={**OVER, "train.steps": 100_000, "train.budget_minutes": 0.005})
    assert run.status == "budget"
    assert [m.step for m in run.mixture_members()] == [run.step]  # stopped before the window: the last step
    assert run.sample(10, seed=0).shape == (10, 2)


class _Signal(Callback):
    def __init__(self, at):
        self.at = at

    def on_step(self, step):
        if step == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


def test_an_interrupted_run_resumes_to_the_same_snapshots(tmp_path):
    """Killed after a snapshot that no checkpoint covers (step 24; checkpoint 20): the resumed run rewrites it."""
    with pytest.raises(TrainingInterrupted):
        gankit.train("ring8-tiny", out=tmp_path / "b", overrides=OVER, callbacks=[_Signal(25)])
    gankit.train(resume=tmp_path / "b")
    straight = gankit.train("ring8-tiny", out=tmp_path / "a", overrides=OVER)
    assert _snapshots(straight.path) == _snapshots(tmp_path / "b")
    for s in STEPS:
        for net in ("G_ema", "D"):
            a = load_file(str(snapshot_dir(straight.path / "snapshots", s) / f"{net}.safetensors"))
            b = load_file(str(snapshot_dir(tmp_path / "b/snapshots", s) / f"{net}.safetensors"))
            assert all(torch.equal(a[k], b[k]) for k in a), (s, net)


def test_an_interrupted_mixture_run_still_writes_its_report(tmp_path):
    """Stopped at step 25, between snapshots: the report samples the last G alone instead of failing."""
    with pytest.raises(TrainingInterrupted):
        gankit.train("ring8-tiny", out=tmp_path / "b", overrides={**OVER, "log.report": "md"},
                     callbacks=[_Signal(25)])
    report = (tmp_path / "b" / "report.md").read_text()
    assert "interrupted at step 25" in report and (tmp_path / "b" / "samples" / "final.png").is_file()


def test_missing_snapshots_and_a_mixture_without_any_are_refused(tmp_path):
    import shutil

    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    shutil.rmtree(snapshot_dir(run.path / "snapshots", 24))
    with pytest.raises(CheckpointError, match=r"step\(s\) 24 .*mixture=False"):
        gankit.load_run(run.path).sample(10)
    assert gankit.load_run(run.path).sample(10, mixture=False).shape == (10, 2)
    off = gankit.train("ring8-tiny", out=tmp_path / "off", overrides={**OVER, "sample.mixture": 0})
    with pytest.raises(ConfigError, match="kept no generator snapshots"):
        off.sample(10, mixture=True)


def test_cli_samples_the_final_g_alone_on_request(tmp_path):
    from gankit.cli.main import main

    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    for flag, mixture in (([], None), (["--no-mixture"], False)):
        out = tmp_path / f"s{len(flag)}.npy"
        assert main(["sample", str(run.path), "--n", "40", "--seed", "2", "--out", str(out), *flag]) == 0
        assert np.array_equal(np.load(out), run.sample(40, seed=2, mixture=mixture).numpy())
    assert not np.array_equal(np.load(tmp_path / "s0.npy"), np.load(tmp_path / "s1.npy"))


def test_eval_scores_the_mixture_and_says_so_in_the_card(tmp_path):
    import json

    from gankit.cli.main import main

    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=OVER)
    cards = {}
    for flag in ([], ["--no-mixture"]):
        path = tmp_path / f"card{len(flag)}.json"
        assert main(["eval", str(run.path), "--metrics", "modes", "--n", "500", "--card", str(path), *flag]) == 0
        cards[len(flag)] = json.loads(path.read_text())["metrics"]["modes"]
    assert cards[0]["provenance"]["sample_mixture"] == len(STEPS) and cards[1]["provenance"]["sample_mixture"] == 0


def test_a_conditional_mixture_gives_each_slot_its_asked_class(tmp_path):
    """On ring8 the label is the mode: the shuffled slots must reach their members with their own labels."""
    from gankit.data.toy2d import mixture_centres

    centres = mixture_centres("ring8")
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides={
        **OVER, "train.steps": 800, "data.n": 20000, "train.batch_size": 256, "model.cond_g": "concat",
        "model.cond_d": "concat", "sample.mixture": 0.2, "sample.mixture_every": 40, "sample.reject": 0.01})
    assert len(run.mixture_members()) == 5
    x = run.sample(800, seed=0)
    obey = (torch.cdist(x, centres).argmin(1) == torch.arange(800) % 8).float().mean().item()
    three = (torch.cdist(run.sample(200, seed=1, classes=3), centres).argmin(1) == 3).float().mean().item()
    assert obey >= 0.95 and three >= 0.95, (obey, three)
