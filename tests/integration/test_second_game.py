"""A new game is a new folder: the two-generator fixture trains, checkpoints, resumes and samples unchanged."""

import pytest
import torch
from safetensors.torch import load_file

import gankit
from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.data.toy2d import mixture_centres
from gankit.games.registry import GAMES
from gankit.metrics.modes import mode_coverage
from gankit.training.callbacks import Callback, read_metrics
from gankit.training.checkpoint import latest_checkpoint
from gankit.training.loop import Trainer

RING = {"game": "two-generators", "data.n": 2000, "train.batch_size": 64, "log.progress": False,
        "log.every": 10, "log.checkpoint_every": 20, "sample.reject": 0, "sample.mixture": 0}


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    """Registration is the one line a new game adds to games/registry.py."""
    monkeypatch.setitem(GAMES, "two-generators", "two_generators:SPEC")


def test_the_trainer_runs_its_phases_unchanged():
    cfg = as_config("ring8-tiny", RING)
    game = build_game(cfg, load_data(cfg), torch.device("cpu"))
    rows = []

    class Rows(Callback):
        def on_log(self, step, row):
            rows.append(row)

    Trainer(game.state, game.schedule(), log_every=5, callbacks=[Rows()]).fit(10)
    assert game.updates == {"G1": 10, "G2": 10, "D": 10} and game.state.step == 10
    assert {"loss_d", "loss_g1", "loss_g2", "grad_norm_g1", "grad_norm_g2", "acc"} <= set(rows[-1])


def test_train_checkpoints_and_samples_the_new_game(tmp_path):
    run = gankit.train("ring8-tiny", out=tmp_path / "r", overrides={**RING, "train.steps": 40})
    ckpt = latest_checkpoint(run.path / "checkpoints")
    assert {p.stem for p in ckpt.glob("*.safetensors")} == {"G1", "G2", "D", "G1_ema"}
    extra = torch.load(ckpt / "state.pt", weights_only=True)
    assert {"opt_g1", "opt_g2", "opt_d"} <= set(extra) and extra["step"] == 40
    x = gankit.load_run(run.path).sample(500, seed=1)
    assert x.shape == (500, 2) and torch.isfinite(x).all()
    assert torch.equal(x, gankit.load_run(run.path).sample(500, seed=1))
    assert (run.path / "report.md").is_file() and (run.path / "samples" / "final.png").is_file()
    assert [r["step"] for r in read_metrics(run.path / "metrics.csv")] == [10, 20, 30, 40]


def test_resume_of_the_new_game_is_bit_exact(tmp_path):
    straight = gankit.train("ring8-tiny", out=tmp_path / "a", overrides={**RING, "train.steps": 40})
    gankit.train("ring8-tiny", out=tmp_path / "b", overrides={**RING, "train.steps": 20})
    resumed = gankit.train(resume=tmp_path / "b", overrides={"train.steps": 40})
    a, b = latest_checkpoint(straight.path / "checkpoints"), latest_checkpoint(resumed.path / "checkpoints")
    for net in ("G1", "G2", "D", "G1_ema"):
        wa, wb = load_file(str(a / f"{net}.safetensors")), load_file(str(b / f"{net}.safetensors"))
        assert all(torch.equal(wa[k], wb[k]) for k in wa), net


@pytest.mark.slow
def test_the_two_generators_learn_the_ring():
    """Real training, not a shape check: 2000 steps take the two generators' mixture from next to no mode to most
    of the ring (seeds 0-3 at this budget: 6-8 modes, 44-90% of samples within 3σ of a mode)."""
    cfg = as_config("ring8", {**RING, "train.steps": 2000, "sample.jacobian_reject": 0})
    game = build_game(cfg, load_data(cfg), torch.device("cpu"))

    def coverage():
        g = torch.Generator().manual_seed(0)
        with torch.no_grad():
            fakes = [game.state.players[n].net(torch.randn(1250, cfg.model.z_dim, generator=g)) for n in ("G1", "G2")]
        return mode_coverage(torch.cat(fakes), mixture_centres("ring8"), 0.01)

    before = coverage()
    Trainer(game.state, game.schedule(), log_every=100).fit(2000)
    after = coverage()
    assert before.modes <= 2 and before.hq_fraction < 0.05, before
    assert after.modes >= 6 and after.hq_fraction > 0.35, after
