"""StyleGAN2 in the game: lazy R1 and path length on the phase schedule, style mixing, bf16, sampling."""

import math

import pytest
import torch

import gankit
from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.errors import ConfigError
from gankit.training.loop import Trainer

SG2 = {"data.name": "digits", "data.size": 32, "data.upscale": True, "model.arch": "stylegan2", "model.g_width": 4, "model.d_width": 4,
       "model.g_depth": 2, "model.z_dim": 16, "model.minibatch_std": True, "train.batch_size": 8,
       "train.precision": "fp32", "train.channels_last": False, "loss.r1": 0.01, "loss.reg_every": 4,
       "loss.pl": 2.0, "loss.pl_every": 3, "log.progress": False, "log.report": "none", "log.tensorboard": False}


def _game(**extra):
    cfg = as_config("digits-dcgan-tiny", {**SG2, **extra})
    return build_game(cfg, load_data(cfg), torch.device("cpu"))


def test_lazy_r1_and_path_length_run_on_their_intervals():
    phases = _game()
    state = phases.state
    names = [p.name for p in phases.schedule()]
    assert names == ["LR", "D", "Dreg", "G", "Greg", "EMA"]
    calls = {"Dreg": [], "Greg": []}
    schedule = phases.schedule()
    for p in schedule:
        if p.name in calls:
            run = p.run
            p.run = lambda log, run=run, name=p.name: (calls[name].append(state.step), run(log))[1]
    Trainer(state, schedule, log_every=6).fit(12)
    assert calls["Dreg"] == [0, 4, 8] and calls["Greg"] == [0, 3, 6, 9]
    assert float(state.components["pl"].mean) > 0  # the running mean of path lengths has moved off 0


def test_lazy_regularisation_corrects_both_optimisers():
    """StyleGAN2 appendix B: lr·c and β^c with c = k/(k+1), for D (R1 every 4) and G (path length every 3)."""
    phases = _game(**{"train.lr_g": 1e-3, "train.lr_d": 2e-3, "train.beta2": 0.99})
    gd, gg = phases.D.opt.param_groups[0], phases.G.opt.param_groups[0]
    assert gd["lr"] == pytest.approx(2e-3 * 4 / 5) and gd["betas"][1] == pytest.approx(0.99 ** (4 / 5))
    assert gg["lr"] == pytest.approx(1e-3 * 3 / 4) and gg["betas"][1] == pytest.approx(0.99 ** (3 / 4))


def test_style_mixing_mixes_about_the_asked_share_of_batches():
    phases = _game(**{"train.style_mixing": 0.5})
    seen = []
    forward = phases.G.net.forward

    def spy(*a, **k):
        seen.append(k.get("mix_cutoff"))
        return forward(*a, **k)

    phases.G.net.forward = spy
    for _ in range(200):
        phases.generate(phases.G.net, 2, None)
    num_ws = phases.G.net.num_ws
    assert all(torch.is_tensor(c) for c in seen)  # a device tensor: choosing never syncs with the host
    mixed = [int(c) for c in seen if int(c) < num_ws]  # cutoff num_ws: every layer keeps its own styles
    assert 0.4 < len(mixed) / len(seen) < 0.6
    assert set(mixed) <= set(range(1, num_ws)) and len(set(mixed)) > 3


def test_a_batch_that_does_not_mix_draws_what_no_mixing_draws():
    """Cutoff num_ws takes no style from mix_z: the image equals the unmixed one."""
    phases = _game(**{"train.style_mixing": 0.5})
    G, z, other = phases.G.net.eval(), torch.randn(3, phases.o.z_dim), torch.randn(3, phases.o.z_dim)
    with torch.no_grad():
        plain = G(z, noise_mode="const")
        kept = G(z, mix_z=other, mix_cutoff=torch.tensor(G.num_ws), noise_mode="const")
        mixed = G(z, mix_z=other, mix_cutoff=torch.tensor(1), noise_mode="const")
    assert torch.equal(plain, kept) and not torch.allclose(plain, mixed)


def test_bf16_autocast_on_cpu_trains_without_nan(tmp_path):
    run = gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={**SG2, "train.precision": "bf16",
                                                                          "train.steps": 20, "log.every": 5})
    from gankit.training.callbacks import read_metrics

    rows = read_metrics(run.path / "metrics.csv")
    assert len(rows) == 4 and all(math.isfinite(v) for r in rows for v in r.values())
    assert torch.isfinite(run.sample(8)).all()


def test_truncation_psi_zero_samples_the_average_style(tmp_path):
    run = gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={**SG2, "train.steps": 10})
    x = run.sample(4, seed=1, truncation=0.0)
    assert torch.allclose(x, x[:1].expand_as(x), atol=1e-5)  # every z maps to w_avg, constant noise in eval


@pytest.mark.parametrize("overrides, match", [
    ({"model.arch": "dcgan", "loss.pl": 2.0}, "mapping network"),
    ({"model.arch": "dcgan", "loss.pl": 0.0, "train.style_mixing": 0.5}, "per-layer styles"),
    ({"model.spectral_norm": True}, "equalised-lr"),
    ({"train.precision": "fp16"}, "needs a CUDA device"),
])
def test_refusals(overrides, match, tmp_path):
    with pytest.raises(ConfigError, match=match):
        cfg = as_config("digits-dcgan-tiny", {**SG2, **overrides})
        build_game(cfg, load_data(cfg), torch.device("cpu"))


def test_resolution_must_be_a_power_of_two(tmp_path):
    with pytest.raises(ConfigError, match="power of two between 32 and 256"):
        gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={**SG2, "data.size": 48})


def test_mix_figure_cells_take_coarse_styles_from_the_rows(tmp_path):
    from gankit import latent
    from gankit.cli.main import main

    run = gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={**SG2, "train.steps": 6})
    rows, cols, grid = latent.style_mix(run, [0, 1], [5, 6, 7], cutoff=2)
    assert grid.shape == (2, 3, 1, 32, 32)
    G = run.generator()
    w_row, w_col = G.mapping(run.noise(1, 1)), G.mapping(run.noise(1, 7))
    expected = G.synthesis(torch.cat([w_row[:, :2], w_col[:, 2:]], 1))[0]
    assert torch.allclose(grid[1, 2], expected, atol=1e-5)
    assert main(["mix", str(run.path), "--rows", "2", "--cols", "2", "--out", str(tmp_path / "m.png")]) == 0
    assert (tmp_path / "m.png").stat().st_size > 5000
    assert main(["ppl", str(run.path), "--n", "50"]) == 0


def test_mix_refuses_a_generator_without_styles(tmp_path, capsys):
    from gankit.cli.main import main

    run = gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={"train.steps": 2, "log.progress": False})
    assert main(["mix", str(run.path), "--out", str(tmp_path / "m.png")]) == 2
    assert "model.arch=stylegan2" in capsys.readouterr().err
