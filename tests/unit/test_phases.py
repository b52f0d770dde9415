"""The schedule: k D updates per G update, one EMA update per iteration, logging windows."""

import pytest
import torch

from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.training.callbacks import Callback
from gankit.training.loop import Trainer
from gankit.training.phase import Phase


class Rows(Callback):
    def __init__(self):
        self.rows = []

    def on_log(self, step, row):
        self.rows.append(dict(row))


def _setup(d_steps, reuse_fake=True, **extra):
    cfg = as_config("ring8-tiny", {"train.d_steps": d_steps, "data.n": 512, "train.batch_size": 32,
                                   "train.reuse_fake": reuse_fake, **extra})
    phases = build_game(cfg, load_data(cfg), torch.device("cpu"))
    state = phases.state
    return state, phases


def _count(opt):
    calls = {"n": 0}
    step = opt.step

    def counted(*a, **k):
        calls["n"] += 1
        return step(*a, **k)

    opt.step = counted
    return calls


@pytest.mark.parametrize("d_steps", [1, 3])
@pytest.mark.parametrize("reuse_fake", [True, False])
def test_d_and_g_update_counts(d_steps, reuse_fake):
    state, phases = _setup(d_steps, reuse_fake)
    nd, ng = _count(phases.D.opt), _count(phases.G.opt)
    ema_calls = []
    orig = state.ema.update
    state.ema.update = lambda m, s: (ema_calls.append(s), orig(m, s))
    rows = Rows()
    Trainer(state, phases.schedule(), log_every=4, callbacks=[rows]).fit(10)
    assert state.step == 10
    assert nd["n"] == 10 * d_steps and ng["n"] == 10
    assert ema_calls == list(range(1, 11))
    assert [r["step"] for r in rows.rows] == [4, 8, 10]
    # every logged row holds the game's numbers
    for key in ("loss_d", "loss_g", "d_real", "d_fake", "acc_real", "acc_fake", "acc", "grad_norm_d", "grad_norm_g"):
        assert key in rows.rows[-1]
    batches_used = state.batches.epoch * (512 // 32) + state.batches.pos // 32
    assert batches_used == 10 * d_steps


def test_lazy_phase_interval():
    state, phases = _setup(1)
    seen = []
    lazy = Phase("lazy", lambda log: seen.append(state.step) or {}, every=4)
    Trainer(state, phases.schedule() + [lazy], log_every=100).fit(10)
    assert seen == [0, 4, 8]


def test_g_step_leaves_d_untouched_and_trainable():
    state, phases = _setup(1, reuse_fake=False)
    before = [p.detach().clone() for p in phases.D.net.parameters()]
    phases.d_step(log=False)
    after_d = [p.detach().clone() for p in phases.D.net.parameters()]
    phases.g_step(log=True)
    assert any(not torch.equal(a, b) for a, b in zip(before, after_d))
    assert all(torch.equal(a, p) for a, p in zip(after_d, phases.D.net.parameters()))
    assert all(p.requires_grad for p in phases.D.net.parameters())


def test_window_means_count_only_iterations_where_a_phase_ran():
    state, phases = _setup(1, reuse_fake=False)
    phases.d_every = 2  # D plays every other iteration, as the balancer may set
    seen = []
    real_step = phases.d_step

    def spy(log, keep_fake=False):
        out = real_step(log, keep_fake)
        seen.append(out["loss_d"].item())
        return out

    phases.d_step = spy
    rows = Rows()
    Trainer(state, phases.schedule(), log_every=4, callbacks=[rows]).fit(4)
    assert len(seen) == 2
    assert rows.rows[0]["loss_d"] == pytest.approx(sum(seen) / 2, rel=1e-6)


def test_loss_scaler_path_gives_the_unscaled_updates():
    """fp16's loss scalers (one per player) exercised on CPU in fp32: power-of-two scaling is exact, so the
    weights must equal those of the unscaled game, and the scalers are checkpointed as components."""
    from gankit.games.adversarial import AdversarialGame, build_state, game_options
    from gankit.losses.adversarial import get_objective

    def run(scaled):
        cfg = as_config("ring8-tiny", {"data.n": 512, "train.batch_size": 32, "loss.r1": 0.1})
        state = build_state(cfg, load_data(cfg), torch.device("cpu"))
        if scaled:
            for name, p in state.players.items():
                p.scaler = state.components[f"scaler_{name.lower()}"] = torch.amp.GradScaler("cpu", init_scale=2.0**10)
        phases = AdversarialGame(state, get_objective(cfg.loss.objective), game_options(cfg, state))
        Trainer(state, phases.schedule(), log_every=3).fit(6)
        return state

    plain, scaled = run(False), run(True)
    nets = [plain.players[k].net for k in "GD"], [scaled.players[k].net for k in "GD"]
    for a, b in zip(*(list(net[0].parameters()) + list(net[1].parameters()) for net in nets)):
        assert torch.allclose(a, b, atol=1e-6)
    assert scaled.extra_state()["components"]["scaler_d"]["scale"] == 2.0**10
