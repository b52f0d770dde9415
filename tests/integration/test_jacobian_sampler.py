"""Jacobian rejection in a run's sampler (sample.jacobian_reject): which latents are kept, with D's rule and the mixture."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import gankit
from gankit.cli.main import main
from gankit.errors import ConfigError
from gankit.training.checkpoint import snapshot_dir

FAST = {"log.progress": False, "log.report": "none", "log.tensorboard": False, "sample.reject": 0}


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    return gankit.train("ring8-tiny", out=tmp_path_factory.mktemp("jac") / "r", overrides={**FAST, "train.steps": 200})


def test_each_slot_keeps_its_first_latent_within_the_threshold(ring_run):
    run = ring_run
    raw = run.sample(500, seed=3, jacobian_reject=0)
    norms, tau = run.jacobian_norms(run.noise(500, seed=3)), run.jacobian_thresholds(0.1)
    passed = norms <= tau
    assert 0.8 < passed.float().mean() < 0.97  # the reference draw's 90% quantile, met by fresh latents
    kept = run.sample(500, seed=3, jacobian_reject=0.1)
    assert torch.equal(kept[passed], raw[passed]) and not torch.isin(kept[~passed], raw[~passed]).any()
    assert torch.equal(kept, run.sample(500, seed=3, jacobian_reject=0.1))
    # the most-stretched latents of the reference draw are the ones a larger fraction turns away
    assert run.jacobian_thresholds(0.2) < tau < run.jacobian_thresholds(0.01)
    # the norm is of the map sample draws: with truncation ψ, z ↦ G(ψz), whose Jacobian is ψ·J_G(ψz)
    z = run.noise(50, seed=5)
    assert torch.allclose(run.jacobian_norms(z, truncation=0.5), 0.5 * run.jacobian_norms(0.5 * z), rtol=1e-5)


def test_with_ds_rejection_a_sample_must_pass_both(ring_run):
    run = ring_run
    both = run.sample(500, seed=4, reject=0.05, jacobian_reject=0.1)
    assert bool((run.realism(both) >= run.rejection_thresholds(0.05)).all())
    raw = run.sample(500, seed=4, reject=0, jacobian_reject=0)
    first = (run.jacobian_norms(run.noise(500, seed=4)) <= run.jacobian_thresholds(0.1)) & (
        run.realism(raw) >= run.rejection_thresholds(0.05))
    assert torch.equal(both[first], raw[first])
    with pytest.raises(ConfigError, match=r"jacobian_reject must be the fraction in \[0, 0.5\]"):
        run.sample(10, jacobian_reject=0.9)


def test_each_mixture_member_is_judged_by_its_own_generators_stretch(tmp_path):
    """One snapshot's G scaled 1000×: the final G's threshold would turn away all its samples; its own keeps 90%."""
    over = {**FAST, "train.steps": 30, "data.n": 2000, "train.batch_size": 64, "log.checkpoint_every": 10,
            "sample.mixture": 0.5, "sample.mixture_every": 10}
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides=over)
    f = snapshot_dir(run.path / "snapshots", 20) / "G_ema.safetensors"
    sd = load_file(str(f))
    last = max((k for k in sd if k.endswith(".weight")), key=lambda k: int(k.split(".")[1]))
    sd[last] = sd[last] * 1000
    save_file(sd, str(f))
    reopened = gankit.load_run(run.path)
    members = reopened.mixture_members()
    scaled = [m for m in members if m.step == 20][0]
    assert scaled.jacobian_thresholds(0.1) > 100 * reopened.jacobian_thresholds(0.1)
    x = reopened.sample(300, seed=1, jacobian_reject=0.1)
    assert (x.abs().max(1).values > 20).sum() >= 300 // len(members)  # the scaled member drew its share
    assert not torch.equal(x, reopened.sample(300, seed=1, jacobian_reject=0))  # and every member rejected


def test_cli_sample_and_eval_take_the_fraction_and_the_card_records_it(ring_run, tmp_path):
    out = tmp_path / "s.npy"
    assert main(["sample", str(ring_run.path), "--n", "40", "--seed", "2", "--jacobian-reject", "0.1",
                 "--out", str(out)]) == 0
    assert np.array_equal(np.load(out), ring_run.sample(40, seed=2, jacobian_reject=0.1).numpy())
    card = tmp_path / "card.json"
    assert main(["eval", str(ring_run.path), "--metrics", "modes", "--n", "300", "--jacobian-reject", "0.1",
                 "--card", str(card)]) == 0
    assert json.loads(card.read_text())["metrics"]["modes"]["provenance"]["sample_jacobian_reject"] == 0.1


def test_a_conditional_run_has_one_threshold_per_class(tmp_path, monkeypatch):
    run = gankit.train("ring8-tiny", out=tmp_path / "c", overrides={
        **FAST, "train.steps": 60, "model.cond_g": "concat", "model.cond_d": "concat"})
    taus = run.jacobian_thresholds(0.1)
    assert taus.shape == (8,) and len(set(taus.tolist())) == 8
    raw, kept = run.sample(400, seed=2, classes=3, jacobian_reject=0), run.sample(400, seed=2, classes=3,
                                                                                  jacobian_reject=0.1)
    passed = run.jacobian_norms(run.noise(400, seed=2), torch.full((400,), 3)) <= taus[3]
    assert 0.7 < passed.float().mean() < 1 and torch.equal(kept[passed], raw[passed])
    # class 3 accepts no latent: its 5 slots of 40 can never be filled, and the error says which rule refused
    monkeypatch.setattr(run, "jacobian_thresholds", lambda q, *a: torch.where(torch.arange(8) == 3, -1.0, 1e9))
    with pytest.raises(ConfigError, match="the Jacobian rule accepted only 35 of"):
        run.sample(40, seed=1, jacobian_reject=0.1)
