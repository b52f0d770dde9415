"""Stabilisers wired into the game: lazy regularisation, clipping, unrolling, schedules, augmentation, refusals."""

import pytest
import torch

import gankit
from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.errors import ConfigError
from gankit.games.adversarial import Batch
from gankit.training.loop import Trainer
from gankit.training.schedules import lr_multiplier

RING = {"data.n": 512, "train.batch_size": 32, "log.progress": False, "sample.reject": 0}


def _game(overrides, preset="ring8-tiny"):
    cfg = as_config(preset, {**RING, **overrides} if preset == "ring8-tiny" else overrides)
    return cfg, build_game(cfg, load_data(cfg), torch.device("cpu"))


def test_lazy_regularisation_interval_and_optimizer_correction():
    cfg, phases = _game({"loss.r1": 1.0, "loss.reg_every": 4})
    state = phases.state
    c = 4 / 5
    g = phases.D.opt.param_groups[0]
    assert g["lr"] == pytest.approx(cfg.train.lr_d * c)
    assert g["betas"] == pytest.approx((cfg.train.beta1**c, cfg.train.beta2**c))
    ran = []
    real = phases.d_reg_step
    phases.d_reg_step = lambda log: (ran.append(state.step), real(log))[1]
    Trainer(state, phases.schedule(), log_every=5).fit(10)
    assert ran == [0, 4, 8]


@pytest.mark.parametrize("penalty, draws_fakes", [("loss.r1", False), ("loss.r2", True), ("loss.gp", True)])
def test_lazy_step_draws_fakes_only_for_penalties_that_look_at_them(penalty, draws_fakes):
    _, phases = _game({penalty: 1.0, "loss.reg_every": 4})
    calls = []
    generate = phases.generate
    phases.generate = lambda *a, **k: (calls.append(1), generate(*a, **k))[1]
    out = phases.d_reg_step(log=True)
    assert bool(calls) == draws_fakes and f"pen_{penalty.split('.')[1]}" in out


def test_eager_penalty_is_logged_every_d_step():
    cfg, phases = _game({"loss.r1": 1.0, "loss.gp": 1.0})
    out = phases.d_step(log=True)
    assert {"pen_r1", "pen_gp"} <= set(out)
    assert phases.D.opt.param_groups[0]["lr"] == pytest.approx(cfg.train.lr_d)  # no lazy correction


def test_wgan_clips_every_d_weight():
    _, phases = _game({"loss.objective": "wgan", "train.lr_d": 0.1})
    state = phases.state
    Trainer(state, phases.schedule(), log_every=5).fit(3)
    assert max(p.abs().max().item() for p in phases.D.net.parameters()) <= 0.01 + 1e-7


def test_unrolled_g_step_looks_ahead_without_touching_d():
    _, phases = _game({"train.unroll_steps": 3, "train.unroll_lr": 0.5, "train.reuse_fake": False})
    state = phases.state
    _, phases0 = _game({"train.reuse_fake": False})
    d_before = [p.detach().clone() for p in phases.D.net.parameters()]
    real = state.batches.next()[0]
    phases.batch, phases0.batch = Batch(real, None), Batch(real, None)
    torch.manual_seed(0)
    phases.g_step(log=False)
    grads = [p.grad.clone() for p in phases.G.net.parameters()]
    torch.manual_seed(0)
    phases0.g_step(log=False)
    grads0 = [p.grad.clone() for p in phases0.G.net.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(d_before, phases.D.net.parameters()))
    assert any(not torch.allclose(a, b) for a, b in zip(grads, grads0))


def test_lr_schedules():
    assert lr_multiplier("constant", 900, 1000) == 1.0
    assert lr_multiplier("linear", 500, 1000, 0.5, 0.1) == 1.0
    assert lr_multiplier("linear", 750, 1000, 0.5, 0.1) == pytest.approx(0.55)
    assert lr_multiplier("linear", 1000, 1000, 0.5, 0.1) == pytest.approx(0.1)
    assert lr_multiplier("cosine", 1000, 1000, 0.0, 0.01) == pytest.approx(0.01)
    cfg, phases = _game({"train.lr_schedule": "linear", "train.steps": 10, "train.decay_start": 0.0,
                                     "train.lr_end": 0.5})
    Trainer(phases.state, phases.schedule(), log_every=5).fit(10)
    # the last iteration (step index 9) ran with lr·(1 − 0.5·9/10)
    assert phases.G.opt.param_groups[0]["lr"] == pytest.approx(cfg.train.lr_g * (1 - 0.5 * 9 / 10))


@pytest.mark.parametrize("kind", ["diffaugment", "ada"])
def test_augmented_dcgan_trains_and_resumes_exactly(tmp_path, kind):
    over = {"augment.kind": kind, "augment.p": 0.5, "augment.ada_interval": 1, "augment.ada_speed_kimg": 0.1,
            "log.progress": False, "log.report": "none", "train.steps": 12, "log.checkpoint_every": 6,
            "log.every": 3}
    a = gankit.train("digits-dcgan-tiny", out=tmp_path / "a", overrides=over)
    gankit.train("digits-dcgan-tiny", out=tmp_path / "b", overrides={**over, "train.steps": 6})
    b = gankit.train(resume=tmp_path / "b", overrides={"train.steps": 12})
    from safetensors.torch import load_file

    for net in ("G", "D"):
        ta = load_file(str(a.path / f"checkpoints/step_0000012/{net}.safetensors"))
        tb = load_file(str(b.path / f"checkpoints/step_0000012/{net}.safetensors"))
        assert all(torch.equal(ta[k], tb[k]) for k in ta)
    if kind == "ada":
        from gankit.training.callbacks import read_metrics

        ps = [r["aug_p"] for r in read_metrics(a.path / "metrics.csv")]
        assert ps[-1] != 0.5  # the r_t rule moved p


def test_instance_noise_reaches_d_with_the_scheduled_std():
    _, phases = _game({"augment.instance_noise": 0.2, "augment.instance_noise_until": 0.5,
                                   "train.steps": 10})
    state = phases.state
    x = torch.zeros(40_000, 2)
    torch.manual_seed(0)
    for step, std in [(0, 0.2), (2, 0.2 * (1 - 2 / 5)), (4, 0.2 * (1 - 4 / 5))]:
        state.step = step
        seen = phases.o.augment(x)
        assert seen.std().item() == pytest.approx(std, rel=0.02) and abs(seen.mean().item()) < 0.01
    for step in (5, 9):  # from until × steps on, D sees the samples themselves
        state.step = step
        assert torch.equal(phases.o.augment(x), x)
    _, plain = _game({})
    assert plain.o.augment is None


def test_instance_noise_comes_after_the_augmentation():
    from types import SimpleNamespace

    from gankit.games.adversarial.build import with_instance_noise

    view = with_instance_noise(torch.zeros_like, SimpleNamespace(step=0), 0.3, 1.0, 10)  # an augment that blanks x
    torch.manual_seed(0)
    assert view(torch.ones(20_000, 2)).std().item() == pytest.approx(0.3, rel=0.03)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"loss.r1": -1.0}, "penalty weight and must be ≥ 0"),
        ({"loss.gp": -10.0}, "penalty weight"),
        ({"loss.objective": "wgan-gp", "loss.clip": 0.01}, "cannot be combined"),
        ({"loss.objective": "wgan", "loss.gp": 10.0}, "cannot be combined"),
        ({"loss.objective": "hinge", "loss.roth": 1.0}, "Jensen-Shannon"),
        ({"augment.kind": "diffaugment"}, "no meaning for 2-D points"),
        ({"augment.instance_noise": -0.1}, "augment.instance_noise .* finite number ≥ 0"),
        ({"augment.instance_noise": float("nan")}, "augment.instance_noise must be a finite number"),
        ({"augment.instance_noise_until": 0.0}, r"instance_noise_until .* must be in \(0, 1\]"),
        ({"model.pack": 3}, "multiple"),
        ({"loss.objective": "wgan", "model.spectral_norm": True}, "use one of them"),
        ({"balance.mode": "augment"}, "augment.kind=ada"),
        ({"balance.acc_low": 0.9, "balance.acc_high": 0.8}, "acc_low < acc_high"),
        ({"loss.objective": "wgan-gp"}, "trains a Wasserstein critic"),  # ring8 samples with D's rejection
    ],
)
def test_nonsense_is_refused_with_a_reason(overrides, fragment):
    with pytest.raises(ConfigError, match=fragment):
        as_config("ring8", {"train.batch_size": 256, **overrides})
