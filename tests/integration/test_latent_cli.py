"""Sampling by class and the latent tools, through the CLI and the Python API, on short real runs."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

import gankit
from gankit import latent
from gankit.cli.main import main
from gankit.errors import ConfigError
from gankit.utils.provenance import read_mark, read_metadata
from gankit.utils.run_dir import run_id

FAST = ["--set", "log.progress=false", "--set", "log.tensorboard=false"]


@pytest.fixture(scope="module")
def cond_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cond") / "run"
    assert main(["train", "digits-cdcgan-tiny", "--out", str(out), *FAST, "--set", "train.steps=60",
                 "--set", "log.sample_every=30", "--set", "log.checkpoint_every=30"]) == 0
    return out


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "run"
    assert main(["train", "digits-dcgan-tiny", "--out", str(out), *FAST]) == 0
    return out


def test_run_folder_stores_class_names(cond_run):
    assert json.loads((cond_run / "data.json").read_text())["class_names"] == [str(i) for i in range(10)]


def test_sample_by_class_name_or_index(cond_run, tmp_path, capsys):
    assert main(["sample", str(cond_run), "--class", "7", "--n", "16", "--out", str(tmp_path / "sevens.npy")]) == 0
    assert "of class '7'" in capsys.readouterr().out
    run = gankit.load_run(cond_run)
    x = np.load(tmp_path / "sevens.npy")
    assert x.shape == (16, 32, 32) and np.array_equal(x, run.sample_array(16, classes=7))
    assert not torch.equal(run.sample(4, classes=7), run.sample(4, classes=1))  # the class changes the image


def test_unknown_class_lists_the_valid_ones(cond_run, tmp_path, capsys):
    assert main(["sample", str(cond_run), "--class", "seven", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "unknown class 'seven'" in err and "7='7'" in err


def test_class_on_an_unconditional_run_is_refused(plain_run, tmp_path, capsys):
    assert main(["sample", str(plain_run), "--class", "3", "--out", str(tmp_path / "x.png")]) == 2
    assert "unconditional run" in capsys.readouterr().err


def test_truncation_zero_collapses_every_sample_of_a_class_to_one(cond_run):
    run = gankit.load_run(cond_run)
    x = run.sample(6, classes=3, truncation=0.0)
    assert torch.allclose(x, x[:1].expand_as(x), atol=1e-6)


def test_interpolation_png_and_gif(cond_run, tmp_path):
    assert main(["interpolate", str(cond_run), "3", "17", "--steps", "5", "--out", str(tmp_path / "w.png")]) == 0
    assert main(["interpolate", str(cond_run), "2", "5", "--steps", "5", "--rows", "2",
                 "--out", str(tmp_path / "w.gif")]) == 0
    with Image.open(tmp_path / "w.gif") as gif:
        assert gif.n_frames == 8  # 5 forward + 3 back
        assert read_metadata(gif)["run"] == run_id(cond_run) and read_mark(gif).found  # frames of 96-px tiles
    run = gankit.load_run(cond_run)
    frames = latent.interpolation(run, 3, 17, steps=5, cls=4)
    assert frames.shape == (1, 5, 1, 32, 32)
    # the ends are G of the seeds' codes; a batch of 5 against a batch of 1 may round differently (oneDNN)
    assert torch.allclose(frames[0, 0], run.generate(run.noise(1, 3), torch.tensor([4]))[0], atol=1e-5)
    assert torch.allclose(frames[0, -1], run.generate(run.noise(1, 17), torch.tensor([4]))[0], atol=1e-5)


def test_arithmetic_is_reproducible_from_seeds(cond_run, tmp_path, capsys):
    run = gankit.load_run(cond_run)
    expr = "7[1,2,3] - 1[4,5] + 4[6]"
    a, b = latent.arithmetic(run, expr), latent.arithmetic(run, expr)
    assert torch.equal(a.result.z, b.result.z) and torch.equal(a.images, b.images)
    expected_z = (run.noise(1, 1)[0] + run.noise(1, 2)[0] + run.noise(1, 3)[0]) / 3 \
        - (run.noise(1, 4)[0] + run.noise(1, 5)[0]) / 2 + run.noise(1, 6)[0]
    assert torch.allclose(a.result.z, expected_z, atol=1e-6)
    # the signed class sum (−1 for 1, +1 for 4 and 7) projected onto the simplex: half 4, half 7
    assert torch.equal(a.result.c, torch.tensor([0.0, 0, 0, 0, 0.5, 0, 0, 0.5, 0, 0]))
    variants = (a.images[1:] - a.images[0]).abs().flatten(1).mean(1)
    assert bool((variants > 0.01).all()), variants  # the neighbours z + 0.25·ε differ from the result
    assert main(["arithmetic", str(cond_run), "7 - 1 + 4", "--k", "2", "--pool", "32",
                 "--out", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out
    assert out.count("exemplar seeds") == 3 and (tmp_path / "a.png").stat().st_size > 5000
    picked = latent.arithmetic(run, "7 - 1 + 4", k=2, pool=32)
    assert picked.exemplar_seeds == latent.arithmetic(run, "7 - 1 + 4", k=2, pool=32).exemplar_seeds


def test_arithmetic_parse_error_shows_where(cond_run, tmp_path, capsys):
    assert main(["arithmetic", str(cond_run), "7 - 1 / 4", "--out", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert "character 7" in err and "7 - 1 / 4" in err and "^" in err
    with pytest.raises(ConfigError, match="needs a class on a conditional run"):
        latent.arithmetic(gankit.load_run(cond_run), "[1,2]")


def test_projection_lowers_the_reconstruction_error(cond_run, tmp_path):
    run = gankit.load_run(cond_run)
    target = run.sample_array(1, seed=123, classes=5)[0]  # an image the generator can make
    Image.fromarray(target).save(tmp_path / "t.png")
    res = latent.project(run, tmp_path / "t.png", steps=60, restarts=4)
    assert res.final_error < res.start_error and res.final_loss < res.start_loss
    assert main(["project", str(cond_run), str(tmp_path / "t.png"), "--steps", "20", "--restarts", "2",
                 "--out", str(tmp_path / "proj")]) == 0
    code = latent.Code.load(tmp_path / "proj" / "code.npz")
    assert code.z.shape == (64,) and code.c.shape == (10,)
    assert main(["interpolate", str(cond_run), str(tmp_path / "proj" / "code.npz"), "3", "--steps", "3",
                 "--out", str(tmp_path / "pw.png")]) == 0


@pytest.mark.parametrize("size, mode, match", [((28, 28), "L", "is 28×28 with 1 channel"),
                                               ((32, 32), "RGB", "with 3 channel")])
def test_projection_refuses_wrong_size_or_channels(cond_run, tmp_path, capsys, size, mode, match):
    Image.new(mode, size).save(tmp_path / "bad.png")
    assert main(["project", str(cond_run), str(tmp_path / "bad.png"), "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert match in err and "32×32 grayscale (1 channel)" in err
    assert main(["project", str(cond_run), str(tmp_path / "bad.png"), "--resize", "--steps", "2",
                 "--restarts", "1", "--out", str(tmp_path / "p")]) == 0


def test_neighbours_figure_and_sorted_distances(cond_run, tmp_path):
    assert main(["neighbours", str(cond_run), "--n", "2", "--k", "3", "--out", str(tmp_path / "nb.png")]) == 0
    assert (tmp_path / "nb.png").stat().st_size > 5000
    run = gankit.load_run(cond_run)
    nb = latent.training_neighbours(run, run.sample(3), k=4, space="pixels")
    assert nb.distances.shape == (3, 4) and (nb.distances[:, 1:] >= nb.distances[:, :-1]).all()
    d0 = (nb.samples[0] - nb.train_images[0, 0]).flatten().norm()
    assert float(d0) == pytest.approx(float(nb.distances[0, 0]), rel=1e-4)


def test_eval_of_a_conditional_run_reports_control_and_intra_fid(cond_run):
    from gankit.evaluation import evaluate

    card = evaluate(gankit.load_run(cond_run), n=500)
    m = card["metrics"]
    assert {"control", "intra_fid"} <= set(m)
    assert 0 <= m["control"]["value"] <= 1 and len(m["control"]["extras"]["per_class"]) == 10
    assert len(m["intra_fid"]["extras"]["per_class"]) == 10 and m["intra_fid"]["value"] > 0
