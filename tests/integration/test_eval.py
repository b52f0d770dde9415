"""`gankit eval`: the table, the metric card and its provenance, and refusals."""

import json

import pytest

from gankit.cli.main import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "run"
    assert main(["train", "digits-dcgan-tiny", "--out", str(out), "--set", "log.report=none"]) == 0
    return out


def test_eval_writes_a_card_with_provenance(digits_run, capsys):
    assert main(["eval", str(digits_run), "--n", "300", "--metrics", "fid,kid,pr,dc,is,c2st,memo"]) == 0
    out = capsys.readouterr().out
    card = json.loads((digits_run / "metric_card.json").read_text())
    assert set(card["metrics"]) == {"fid", "kid", "precision", "recall", "density", "coverage", "is", "c2st", "memo"}
    assert card["n_fake"] == 300 and card["n_real"] == 300 and card["step"] == 30
    assert card["extractor"]["extractor"] == "domain-classifier/digits" and len(card["extractor"]["weights_hash"]) == 16
    assert "resize" in card["extractor"]["resize_rule"] or "28" in card["extractor"]["resize_rule"]
    assert card["seeds"]["samples"] == 0 and card["gankit_version"]
    assert card["metrics"]["fid"]["provenance"]["sample_precision"] == "fp32"  # eval's default, whatever the device
    lo, hi = card["metrics"]["c2st"]["ci"]
    assert lo <= card["metrics"]["c2st"]["value"] <= hi
    # an untrained-for-long generator is easy to tell apart: far from the 0.5 equilibrium
    assert card["metrics"]["c2st"]["value"] > 0.8 and card["metrics"]["fid"]["value"] > 10
    assert "fid" in out and "metric card:" in out


def test_eval_on_points_counts_modes(tmp_path, capsys):
    run = tmp_path / "ring"
    assert main(["train", "ring8-tiny", "--out", str(run), "--set", "log.report=none"]) == 0
    assert main(["eval", str(run), "--n", "2500", "--card", str(tmp_path / "c.json")]) == 0
    card = json.loads((tmp_path / "c.json").read_text())
    assert card["extractor"]["extractor"] == "raw" and card["metrics"]["modes"]["value"] >= 7


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--metrics", "fid,sharpness"], "unknown metric(s) sharpness"),
        (["--n", "1", "--metrics", "fid"], "≥ 2"),
        (["--metrics", "modes"], "2-D mixture"),
        (["--features", "vgg"], "unknown feature extractor"),
        (["--features", "inception-v3", "--metrics", "fid"], "pt_inception"),
        (["--device", "gpu"], "'gpu' is not a device; use auto, cpu, cuda"),
    ],
)
def test_eval_refuses_bad_input(digits_run, argv, fragment, capsys, monkeypatch):
    monkeypatch.delenv("GANKIT_INCEPTION_WEIGHTS", raising=False)
    assert main(["eval", str(digits_run), *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_eval_without_weights_is_refused(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", "ring8-tiny", "--out", str(run), "--set", "train.steps=5", "--set", "log.report=none"]) == 0
    import shutil

    shutil.rmtree(run / "checkpoints")
    assert main(["eval", str(run)]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_evaluation_during_training_keeps_the_best_checkpoint(tmp_path, capsys):
    import gankit

    run = gankit.train("digits-dcgan-tiny", out=tmp_path / "r", overrides={
        "log.report": "none", "eval.every": 10, "eval.n": 200, "eval.metric": "fid"})
    rows = (run.path / "eval.csv").read_text().splitlines()
    assert rows[0] == "step,fid,seconds" and [int(r.split(",")[0]) for r in rows[1:]] == [10, 20, 30]
    fids = {int(r.split(",")[0]): float(r.split(",")[1]) for r in rows[1:]}
    best = json.loads((run.path / "checkpoints/best/best.json").read_text())
    assert best["value"] == min(fids.values()) and fids[best["step"]] == best["value"]
    assert gankit.load_run(run.path, checkpoint="best").sample(4).shape == (4, 1, 32, 32)
    assert main(["sample", str(run.path), "--checkpoint", "best", "--n", "4", "--out", str(tmp_path / "b.npy")]) == 0
