"""The command line, in-process on every -tiny preset, plus one subprocess check of the entry point."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from gankit.cli.main import main
from gankit.config.io import load_config, preset_names
from gankit.errors import ConfigError

# the noise-to-image presets; the translation games' tiny presets are run in test_translation.py
TINY = [p for p in preset_names() if p.endswith("-tiny") and load_config(p).game == "adversarial"]


def _args(preset, tiny_fashion, tiny_folder=None):
    args = ["--set", f"data.path={tiny_fashion}"] if preset.startswith(("fashion", "stacked")) else []
    if preset.startswith("folder"):
        args = ["--set", f"data.path={tiny_folder}"]
    if load_config(preset).train.steps > 100:  # learning-test budgets: a short run shows the same files
        args += ["--set", "train.steps=40", "--set", "log.sample_every=20", "--set", "log.checkpoint_every=20"]
    return args


@pytest.mark.parametrize("preset", TINY)
def test_train_each_tiny_preset_writes_a_complete_run(tmp_path, preset, tiny_fashion, tiny_folder, capsys):
    out = tmp_path / "run"
    assert main(["train", preset, "--out", str(out), *_args(preset, tiny_fashion, tiny_folder)]) == 0
    assert f"run folder: {out}" in capsys.readouterr().out
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["name"] == preset
    info = json.loads((out / "data.json").read_text())
    assert info["class_names"] and info["kind"] in ("image", "points")
    header = (out / "metrics.csv").read_text().splitlines()[0].split(",")
    for col in ("step", "loss_d", "loss_g", "d_real", "d_fake", "acc_real", "acc_fake", "acc", "grad_norm_d", "grad_norm_g"):
        assert col in header
    latest = json.loads((out / "checkpoints/latest.json").read_text())
    assert latest["step"] == cfg["train"]["steps"]
    ckpt = out / "checkpoints" / latest["dir"]
    assert {p.name for p in ckpt.iterdir()} == {"G.safetensors", "D.safetensors", "G_ema.safetensors", "state.pt", "manifest.json"}
    assert (out / "plots/curves.png").stat().st_size > 10_000
    assert len(list((out / "samples").glob("step_*.png"))) >= 2
    report = (out / "report.md").read_text()
    assert "plots/curves.png" in report and "samples/final.png" in report and "D accuracy" in report


def games_loaded_by_sample(run, out) -> list[str]:
    """The games whose folder `gankit sample` imports, in a fresh process."""
    code = ("import json\nfrom gankit.cli.main import main\nfrom gankit.games.registry import imported_games\n"
            f"assert main(['sample', {str(run)!r}, '--n', '4', '--out', {str(out)!r}]) == 0\n"
            "print(json.dumps(imported_games()))")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(printed.strip().splitlines()[-1])


@pytest.mark.parametrize("preset, shape, dtype", [("ring8-tiny", (50, 2), "float32"), ("digits-dcgan-tiny", (50, 32, 32), "uint8")])
def test_sample_png_and_npy(tmp_path, preset, shape, dtype):
    run = tmp_path / "run"
    assert main(["train", preset, "--out", str(run)]) == 0
    assert main(["sample", str(run), "--n", "50", "--out", str(tmp_path / "s.npy"), "--seed", "3"]) == 0
    arr = np.load(tmp_path / "s.npy")
    assert arr.shape == shape and arr.dtype.name == dtype
    main(["sample", str(run), "--n", "50", "--out", str(tmp_path / "s2.npy"), "--seed", "3"])
    assert np.array_equal(arr, np.load(tmp_path / "s2.npy"))
    assert main(["sample", str(run), "--n", "16", "--out", str(tmp_path / "g.png")]) == 0
    assert games_loaded_by_sample(run, tmp_path / "f.npy") == ["adversarial"]  # not music, translation or text
    from PIL import Image

    assert Image.open(tmp_path / "g.png").size[0] > 100
    # bf16 (a GPU's auto) draws the same samples within bf16's rounding, G alone (a rejection rule may flip on
    # a rounded sample and shift the rest)
    alone = ["--reject", "0", "--jacobian-reject", "0", "--no-mixture", "--seed", "3", "--n", "50", "--device", "cpu"]
    draws = {}
    for precision in ("fp32", "bf16"):
        assert main(["sample", str(run), *alone, "--precision", precision, "--out", str(tmp_path / "p.npy")]) == 0
        draws[precision] = np.load(tmp_path / "p.npy").astype(np.float64)
    scale = 1.0 if dtype == "uint8" else float(np.abs(draws["fp32"]).max()) / 127.5  # points: 8-bit levels of their range
    assert 0 < np.abs(draws["bf16"] - draws["fp32"]).mean() / scale < 2


def test_rejection_on_a_conditional_image_run(tmp_path, capsys, monkeypatch):
    """Per-class thresholds; a D that has won (30 steps) is reported, not looped on; the wiring keeps slots and noise."""
    import gankit

    out = tmp_path / "run"
    assert main(["train", "digits-cdcgan-tiny", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["sample", str(out), "--n", "20", "--class", "3", "--reject", "0.3", "--out", str(tmp_path / "s.npy")]) == 2
    assert "D accepted only 0 of 2000 candidates in 100 rounds" in capsys.readouterr().err
    run = gankit.load_run(out)
    taus = run.rejection_thresholds(0.3)
    assert taus.shape == (10,) and len(set(taus.tolist())) > 1  # one threshold per class
    raw = run.sample(40, seed=1, reject=0.0)
    # thresholds below every score: each slot keeps its first draw, of its own class, from the same noise
    monkeypatch.setattr(run, "rejection_thresholds", lambda q: taus - 1e6)
    assert torch.equal(run.sample(40, seed=1, reject=0.3), raw)
    # thresholds per class: class 3 accepts nothing (+inf), so slots of class 3 can never be filled
    monkeypatch.setattr(run, "rejection_thresholds", lambda q: torch.where(torch.arange(10) == 3, float("inf"), -1e6))
    with pytest.raises(ConfigError, match="D accepted only 36 of"):
        run.sample(40, seed=1, reject=0.3)


def test_rejection_thresholds_follow_the_number_of_real_samples(tmp_path):
    import gankit
    from gankit.build import load_data
    from gankit.utils.seeding import make_generator

    run = gankit.train("ring8-tiny", out=tmp_path / "run", overrides={
        "sample.reject": 0, "train.steps": 2, "log.progress": False, "log.report": "none"})
    data = load_data(run.config)
    order = torch.randperm(len(data), generator=make_generator(0, "cpu"))
    for n_real in (50, 400):  # the second call must not reuse the first call's 50 scores
        real = run.realism(data.to_model_space(data.x[order[:n_real]]))
        expected = torch.quantile(real.double(), 0.1).float()
        assert torch.equal(run.rejection_thresholds(0.1, n_real=n_real), expected.reshape(1))


def test_a_packed_d_does_not_score_single_samples(tmp_path):
    import gankit

    run = gankit.train("ring8-tiny", out=tmp_path / "run", overrides={
        "model.pack": 2, "sample.reject": 0, "train.steps": 2, "log.progress": False, "log.report": "none"})
    x = run.sample(10)
    with pytest.raises(ConfigError, match="model.pack=2 D judges packs of 2 samples, not one"):
        run.realism(x)
    with pytest.raises(ConfigError, match="reject=0.1 needs that; use reject=0"):
        run.sample(10, reject=0.1)


def test_tensorboard_events_when_installed(tmp_path):
    pytest.importorskip("tensorboard")
    assert main(["train", "ring8-tiny", "--out", str(tmp_path / "r"), "--set", "log.tensorboard=true",
                 "--set", "train.steps=40"]) == 0
    assert list((tmp_path / "r/tb").glob("events.out.tfevents.*"))


def test_html_report(tmp_path):
    assert main(["train", "ring8-tiny", "--out", str(tmp_path / "r"), "--set", "log.report=html", "--set", "train.steps=40"]) == 0
    html = (tmp_path / "r/report.html").read_text()
    assert "<img src='plots/curves.png'>" in html and "Mode coverage" in html and "width: the spread from" in html


def test_presets_lists_every_preset_with_a_line(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(preset_names()) and all(len(line.split()) > 2 for line in out)


def test_dry_run_prints_resolved_config(capsys, tmp_path):
    assert main(["train", "ring8", "--set", "train.lr_g=3e-4", "--dry-run", "--out", str(tmp_path / "x")]) == 0
    cfg = json.loads(capsys.readouterr().out)
    assert cfg["train"]["lr_g"] == 3e-4 and cfg["data"]["name"] == "ring8"
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["train", "ring8", "--set", "train.lrg=1"], "Valid train keys"),
        (["train", "ring8", "--set", "train.steps=many"], "expects int"),
        (["train", "ring9"], "Presets:"),
        (["sample", "/nonexistent/run", "--out", "x.png"], "not a gankit run folder"),
        (["sample", "/nonexistent/run", "--out", "x.png", "--precision", "fp16"], "invalid choice: 'fp16'"),
        (["train", "--resume", "/nonexistent/run"], "not a run folder"),
    ],
)
def test_bad_input_exits_2_with_a_message(argv, fragment, capsys):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_missing_dataset_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    import gankit.data.fashion_mnist as fm

    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "none")
    monkeypatch.delenv("GANKIT_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["train", "fashion-dcgan-tiny", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "apt-get install dataset-fashion-mnist" in err and "GANKIT_DATA" in err
    assert not (tmp_path / "r").exists()


def test_sample_without_weights_is_refused(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "ring8-tiny", "--out", str(run), "--set", "train.steps=5"]) == 0
    import shutil

    shutil.rmtree(run / "checkpoints")
    assert main(["sample", str(run), "--out", str(tmp_path / "x.png")]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_entry_point_subprocess():
    out = subprocess.run([sys.executable, "-m", "gankit", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "gankit train" in out.stdout
    out = subprocess.run([sys.executable, "-m", "gankit", "presets"], capture_output=True, text=True)
    assert out.returncode == 0 and "ring8" in out.stdout


def test_a_reader_that_leaves_early_gets_no_error_message():
    """`gankit presets | head -1`: the closed pipe ends the command quietly with 141, as a Unix tool does."""
    proc = subprocess.Popen([sys.executable, "-m", "gankit", "presets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader leaves before the first line
    err = proc.stderr.read().decode()
    assert proc.wait() == 141 and err == ""
