"""Error paths: every bad argument a short message (never a traceback), faults that lose nothing, one writer per run."""

from __future__ import annotations

import errno
import json
import os
import shutil

import numpy as np
import pytest
import torch

import gankit
import gankit.training.checkpoint as ck
from gankit import build
from gankit.cli.main import main
from gankit.errors import GankitWarning
from gankit.run import Run
from gankit.training.checkpoint import latest_checkpoint
from gankit.training.run_lock import RunLock, lock_owner

FAST = {"log.progress": False, "log.every": 5, "log.checkpoint_every": 10, "data.n": 2000, "train.batch_size": 64}
CLI_FAST = [x for k, v in FAST.items() for x in ("--set", f"{k}={v}")]


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    """A finished 20-step ring8-tiny run with checkpoints at steps 10 and 20 (treated as read-only)."""
    out = tmp_path_factory.mktemp("ring") / "run"
    gankit.train("ring8-tiny", out=out, overrides={**FAST, "train.steps": 20, "log.report": "none"})
    return out


@pytest.fixture
def ring_copy(ring, tmp_path):
    """A copy of the ring run a test may damage."""
    return shutil.copytree(ring, tmp_path / "copy")


def _battery(ring, tmp):
    """(argv, exit code) for bad arguments to every subcommand."""
    r, png, d = str(ring), str(tmp / "out.png"), str(tmp / "dir")
    (tmp / "empty.yaml").write_text("# nothing here\n")
    (tmp / "bad.json").write_text("{not json")
    (tmp / "list.yaml").write_text("- a\n- b\n")
    (tmp / "file").write_text("x")
    (tmp / "not_an_image.png").write_text("hello")
    return [
        (["no-such-command"], 2),
        (["presets", "--bogus"], 2),
        (["train"], 2),
        (["train", "no-such-preset"], 2),
        (["train", str(tmp / "empty.yaml")], 2),
        (["train", str(tmp / "bad.json")], 2),
        (["train", str(tmp / "list.yaml")], 2),
        (["train", str(tmp / "missing.yaml")], 2),
        (["train", "ring8-tiny", "--set", "train.lr_g=.inf"], 2),
        (["train", "ring8-tiny", "--set", "train.lr_g=nan"], 2),
        (["train", "ring8-tiny", "--set", "train.lr_d=-.inf"], 2),
        (["train", "ring8-tiny", "--set", "train.lr_g"], 2),
        (["train", "ring8-tiny", "--set", "train.lrg=1e-4"], 2),
        (["train", "ring8-tiny", "--set", "train.steps=ten"], 2),
        (["train", "ring8-tiny", "--set", "game=chess"], 2),
        (["train", "ring8-tiny", "--set", "train.precision=fp16", "--set", "device=cpu", "--out", d], 2),
        (["train", "digits-dcgan-tiny", "--set", "train.batch_size=100000", "--out", d], 2),
        (["train", "ring8-tiny", "--out", str(tmp / "file" / "run")], 2),
        (["train", "--resume", str(tmp / "nowhere")], 2),
        (["train", "--resume", r, "--set", "model.z_dim=3"], 2),
        (["train", "--resume", r, "--set", "train.steps=5"], 2),
        (["train", "--resume", r, "--set", "train.steps=-5"], 2),
        (["sample", r, "--n", "0", "--out", png], 2),
        (["sample", r, "--n", "-1", "--out", png], 2),
        (["sample", r, "--n", "many", "--out", png], 2),
        (["sample", r, "--seed", "-3", "--out", png], 2),
        (["sample", r, "--truncation", "nan", "--out", png], 2),
        (["sample", r, "--truncation", "inf", "--out", png], 2),
        (["sample", r, "--truncation", "1.5", "--out", png], 2),
        (["sample", r, "--reject", "-0.1", "--out", png], 2),
        (["sample", r, "--reject", "nan", "--out", png], 2),
        (["sample", r, "--jacobian-reject", "2", "--out", png], 2),
        (["sample", r, "--class", "Sneaker", "--out", png], 2),
        (["sample", r, "--out", str(tmp / "out.txt")], 2),
        (["sample", r, "--out", str(tmp / "file" / "x.png")], 2),
        (["sample", r, "--checkpoint", "best", "--out", png], 2),
        (["sample", str(tmp / "nowhere"), "--out", png], 2),
        (["sample", r], 2),
        (["eval", r, "--n", "0"], 2),
        (["eval", r, "--n", "1"], 2),
        (["eval", r, "--seed", "x"], 2),
        (["eval", r, "--metrics", "fid,sharpness"], 2),
        (["eval", r, "--features", "vgg"], 2),
        (["eval", r, "--reject", "inf"], 2),
        (["interpolate", r, "1", "2", "--steps", "0", "--out", png], 2),
        (["interpolate", r, "1", "2", "--steps", "1", "--out", png], 2),
        (["interpolate", r, "1", "2", "--rows", "0", "--out", png], 2),
        (["interpolate", r, "Sneaker", "Sandal", "--out", png], 2),
        (["interpolate", r, "1", str(tmp / "missing.npz"), "--out", png], 2),
        (["arithmetic", r, "Sneaker - Sandal", "--out", png], 2),
        (["arithmetic", r, "[1,2", "--out", png], 2),
        (["arithmetic", r, "[1,2]", "--k", "0", "--out", png], 2),
        (["arithmetic", r, "", "--out", png], 2),
        (["project", r, str(tmp / "missing.png"), "--out", d], 2),
        (["project", r, str(tmp / "not_an_image.png"), "--out", d], 2),
        (["project", r, str(tmp / "not_an_image.png"), "--steps", "0", "--out", d], 2),
        (["neighbours", r, "--n", "0", "--out", png], 2),
        (["neighbours", r, "--k", "-1", "--out", png], 2),
        (["mix", r, "--out", png], 2),
        (["mix", r, "--rows", "0", "--out", png], 2),
        (["mix", r, "--truncation", "nan", "--out", png], 2),
        (["ppl", r, "--n", "0"], 2),
        (["ppl", r, "--n", "1"], 2),
        (["demo", "--steps", "0"], 2),
        (["demo", "--steps", "x"], 2),
        (["detect"], 2),
        (["detect", "train", "--real", "digits", "--out", d], 2),
        (["detect", "train", "--real", "digits", "--fake", r, "--method", "svm", "--out", d], 2),
        (["detect", "train", "--real", "digits", "--fake", r, "--n", "5", "--out", d], 2),
        (["detect", "train", "--real", "no-such-data", "--fake-images", png, "--out", d], 2),
        (["detect", "score", r, "--input", png, "--out", str(tmp / "s.csv")], 2),
        (["detect", "score", d, "--input", png], 2),
        (["detect", "eval", r, "--real", "digits", "--fake", r], 2),
        (["provenance", str(tmp / "missing.png")], 2),
        (["view", str(tmp / "nowhere")], 2),
        (["view", png], 2),
        (["view", r, "--port", "0"], 2),
        (["view", r, "--port", "70000"], 2),
        (["view", r, "--port", "eighty"], 2),
        (["view", r, "--host", "203.0.113.9"], 2),  # an address that is not this machine's: cannot be bound
    ]


def _check_clean(code, expected, capsys, argv):
    out, err = capsys.readouterr()
    assert code == expected, (argv, code, err)
    assert "Traceback" not in out + err and "internal error" not in err, (argv, err)
    lines = [line for line in err.splitlines() if line.strip() and "warning:" not in line]
    assert 1 <= len(lines) <= 2, (argv, err)


def test_bad_arguments_to_every_subcommand_get_a_short_message(ring, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = _battery(ring, tmp_path)
    for argv, expected in cases:
        _check_clean(main(argv), expected, capsys, argv)
    assert not (tmp_path / "out.png").exists() and not (tmp_path / "dir").exists()  # nothing half-made
    commands = {argv[0] for argv, _ in cases}
    assert commands >= {"train", "sample", "eval", "interpolate", "arithmetic", "project", "neighbours", "mix", "ppl",
                        "demo", "presets", "detect", "provenance", "view"}


def test_damaged_run_files_are_named_not_tracebacks(ring_copy, tmp_path, capsys):
    r, png = str(ring_copy), str(tmp_path / "x.png")
    cfg = json.loads((ring_copy / "config.json").read_text())
    (ring_copy / "config.json").write_text(json.dumps({**cfg, "model": {**cfg["model"], "g_width": 7}}))
    _check_clean(main(["sample", r, "--out", png]), 2, capsys, "sizes")
    (ring_copy / "config.json").write_text("{broken")
    _check_clean(main(["sample", r, "--out", png]), 2, capsys, "config")
    _check_clean(main(["train", "--resume", r]), 2, capsys, "config resume")
    (ring_copy / "data.json").write_text("[1, 2")
    _check_clean(main(["eval", r]), 2, capsys, "data.json")


def test_a_state_file_torch_refuses_gets_no_advice_to_unpickle(ring_copy, capsys):
    ckpt = latest_checkpoint(ring_copy / "checkpoints")
    for folder in (ring_copy / "checkpoints").glob("step_*"):  # a hostile file with a consistent manifest
        torch.save({"step": 20, "payload": argparse_namespace()}, folder / "state.pt")
        manifest = json.loads((folder / "manifest.json").read_text())
        data = (folder / "state.pt").read_bytes()
        manifest["files"]["state.pt"] = {"bytes": len(data), "sha256": __import__("hashlib").sha256(data).hexdigest()}
        (folder / "manifest.json").write_text(json.dumps(manifest))
    code = main(["train", "--resume", str(ring_copy), "--set", "train.steps=30"])
    err = capsys.readouterr().err
    assert code == 2 and str(ckpt / "state.pt") in err and "weights_only=False" not in err and "Traceback" not in err


def argparse_namespace():
    import argparse

    return argparse.Namespace(a=1)


# -- faults --------------------------------------------------------------------------------------------------------

def _no_partial_files(root):
    return [p for p in root.rglob("*") if p.name.startswith((".tmp-", ".old-")) or p.name.endswith(".tmp")]


def test_a_full_disk_loses_nothing_and_the_run_resumes_exactly(tmp_path, capsys, monkeypatch):
    straight = gankit.train("ring8-tiny", out=tmp_path / "straight", overrides={**FAST, "train.steps": 30})
    real_write = ck.write_bytes_synced

    def full_at_step_20(target, data):
        if "step_0000020" in str(target):
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real_write(target, data)

    monkeypatch.setattr(ck, "write_bytes_synced", full_at_step_20)
    run = tmp_path / "r"
    code = main(["train", "ring8-tiny", "--out", str(run), *CLI_FAST, "--set", "train.steps=30"])
    err = capsys.readouterr().err
    assert code == 1 and "no space left" in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert _no_partial_files(run) == []
    assert json.loads((run / "checkpoints/latest.json").read_text())["step"] == 10
    report = (run / "report.md").read_text()
    assert "stopped by an error at step 20" in report and "last checkpoint is step 10" in report
    assert "finished" not in report
    monkeypatch.setattr(ck, "write_bytes_synced", real_write)  # space freed
    assert main(["train", "--resume", str(run)]) == 0
    resumed = gankit.load_run(run)
    assert resumed.step == 30 and "finished all 30 steps" in (run / "report.md").read_text()
    assert np.array_equal(resumed.sample_array(500, seed=3), straight.sample_array(500, seed=3))


def test_stale_partial_writes_are_cleaned_when_training_starts(ring_copy):
    stale = ring_copy / "checkpoints" / ".tmp-step_0000030-99999"
    stale.mkdir()
    (stale / "G.safetensors").write_bytes(b"half")
    (ring_copy / ".config.json.abc.tmp").write_text("{")
    gankit.train(resume=ring_copy, overrides={"train.steps": 30})
    assert _no_partial_files(ring_copy) == []


def test_a_corrupt_newest_checkpoint_falls_back_to_the_previous_one(ring, ring_copy, tmp_path):
    newest = ring_copy / "checkpoints" / "step_0000020"
    blob = (newest / "G_ema.safetensors").read_bytes()
    (newest / "G_ema.safetensors").write_bytes(blob[: len(blob) // 2])  # truncated
    with pytest.warns(GankitWarning, match="step_0000010"):
        assert Run(ring_copy).step == 10
    flipped = bytearray((newest / "state.pt").read_bytes())  # damaged in place: same size, other bytes
    flipped[len(flipped) // 2] ^= 0xFF
    (newest / "G_ema.safetensors").write_bytes(blob)
    (newest / "state.pt").write_bytes(bytes(flipped))
    with pytest.warns(GankitWarning, match="damaged"):
        resumed = gankit.train(resume=ring_copy, overrides={"train.steps": 20})
    assert resumed.step == 20  # trained again from step 10, to the same weights
    assert np.array_equal(resumed.sample_array(300, seed=1), gankit.load_run(ring).sample_array(300, seed=1))


@pytest.mark.parametrize("damage", ["delete", "corrupt", "dangling"])
def test_a_missing_or_corrupt_latest_json_falls_back_to_the_step_folders(ring_copy, damage):
    pointer = ring_copy / "checkpoints" / "latest.json"
    if damage == "delete":
        pointer.unlink()
    else:
        pointer.write_text("{" if damage == "corrupt" else '{"step": 40, "dir": "step_0000040"}')
    with pytest.warns(GankitWarning, match="step_0000020"):
        assert Run(ring_copy).step == 20
    with pytest.warns(GankitWarning):
        gankit.train(resume=ring_copy, overrides={"train.steps": 30})
    assert json.loads(pointer.read_text())["step"] == 30


def test_a_run_without_any_intact_checkpoint_is_refused_with_the_reason(ring_copy, capsys):
    for folder in (ring_copy / "checkpoints").glob("step_*"):
        (folder / "G_ema.safetensors").write_bytes(b"\0" * 10)
    code = main(["sample", str(ring_copy), "--out", str(ring_copy / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and "no older intact checkpoint" in err


# -- one writer per run -------------------------------------------------------------------------------------------

def test_a_concurrent_resume_is_refused(ring_copy, capsys):
    with RunLock(ring_copy):
        assert lock_owner(ring_copy)["pid"] == os.getpid()
        code = main(["train", "--resume", str(ring_copy), "--set", "train.steps=30"])
    err = capsys.readouterr().err
    assert code == 2 and f"is being trained by PID {os.getpid()}" in err
    assert json.loads((ring_copy / "checkpoints/latest.json").read_text())["step"] == 20  # nothing written
    assert lock_owner(ring_copy) is None


def test_a_stale_lock_is_taken_over_with_a_warning(ring_copy):
    (ring_copy / "train.lock").write_text(json.dumps({"pid": 4_000_000, "host": "gone", "started": 0}))
    with pytest.warns(GankitWarning, match="PID 4000000 on gone"):
        run = gankit.train(resume=ring_copy, overrides={"train.steps": 30})
    assert run.step == 30 and lock_owner(ring_copy) is None


# -- interruptions and half-made folders --------------------------------------------------------------------------

def test_errors_before_training_leave_no_half_made_folder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    code = main(["train", "ring8-tiny", "--out", str(out), "--set", "train.precision=fp16", "--set", "device=cpu"])
    assert code == 2 and not out.exists()

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "build_game", interrupt)
    assert main(["train", "ring8-tiny", "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err and not out.exists()
    monkeypatch.undo()
    assert main(["train", "ring8-tiny", "--out", str(out), *CLI_FAST, "--set", "train.steps=5"]) == 0
    assert (out / "config.json").exists() and not (tmp_path / "run-2").exists()  # the corrected retry keeps the name


def test_ctrl_c_during_sampling_writes_nothing(ring, tmp_path, capsys, monkeypatch):
    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(Run, "sample", interrupt)
    out = tmp_path / "x.png"
    assert main(["sample", str(ring), "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_an_unexpected_error_is_one_message_and_debug_shows_the_traceback(ring, tmp_path, capsys, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(Run, "sample", boom)
    argv = ["sample", str(ring), "--out", str(tmp_path / "x.png")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "GANKIT_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("GANKIT_DEBUG", "1")
    assert main(argv) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_named(ring, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["sample", str(ring), "--out", str(folder / "x.png")]) == 2
        assert main(["train", "ring8-tiny", "--out", str(folder / "run")]) == 2
    finally:
        folder.chmod(0o700)
    err = capsys.readouterr().err
    assert err.count("permission denied") == 2 and str(folder) in err and "Traceback" not in err


# -- honest resume ------------------------------------------------------------------------------------------------

def test_resuming_a_finished_run_says_so_and_changes_nothing(ring_copy, capsys):
    before = (ring_copy / "config.json").read_text(), (ring_copy / "metrics.csv").read_text()
    assert main(["train", "--resume", str(ring_copy)]) == 0
    err = capsys.readouterr().err
    assert "already finished its 20 steps" in err and "train.steps=N" in err
    assert ((ring_copy / "config.json").read_text(), (ring_copy / "metrics.csv").read_text()) == before


def test_a_moved_dataset_is_found_again_with_data_path(tiny_folder, tmp_path, capsys):
    over = {**FAST, "data.path": str(tiny_folder), "train.steps": 10, "train.batch_size": 8, "log.report": "none"}
    over.pop("data.n")
    run = gankit.train("folder-stylegan2-tiny", out=tmp_path / "r", overrides=over)
    moved = tmp_path / "moved"
    shutil.move(tiny_folder, moved)
    png = str(tmp_path / "x.png")
    near = ["neighbours", str(run.path), "--n", "2", "--k", "1", "--space", "pixels", "--out", png]
    assert main(near) == 2  # the nearest training images need the training data
    assert "--data-path" in capsys.readouterr().err
    assert main([*near, "--data-path", str(moved)]) == 0
    assert main(["train", "--resume", str(run.path), "--set", "train.steps=20"]) == 2
    assert "--data-path" in capsys.readouterr().err
    assert main(["train", "--resume", str(run.path), "--set", "train.steps=20", "--data-path", str(moved)]) == 0
    assert json.loads((run.path / "config.json").read_text())["data"]["path"] == str(moved)
    other = tmp_path / "other"  # same layout, other pictures: refused by the content check
    shutil.copytree(moved, other)
    first = sorted(other.rglob("*.png"))[0]
    shutil.copy(sorted(other.rglob("*.png"))[1], first)
    assert main(["train", "--resume", str(run.path), "--set", "train.steps=30", "--data-path", str(other)]) == 2
    assert "other content" in capsys.readouterr().err


def test_a_metrics_row_cut_short_by_a_crash_is_skipped(ring_copy):
    from gankit.training.callbacks import CSVLogger, read_metrics

    path = ring_copy / "metrics.csv"
    whole = read_metrics(path)
    with path.open("a") as f:
        f.write("25,0.69")  # the process died mid-row
    assert read_metrics(path) == whole
    CSVLogger(path).on_start(20, 30)
    assert read_metrics(path) == whole and path.read_text().endswith("\n")
