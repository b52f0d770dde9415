"""`gankit view`'s server on real runs: the run list, the live game, GAN Lab, Explore, the panels, bad input."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from PIL import Image

from gankit.cli.main import main
from gankit.training.callbacks import read_metrics
from gankit.utils.provenance import read_metadata
from gankit.utils.run_dir import run_id
from gankit.view import server as server_module
from gankit.view.runs import metrics_rows, process_start

pytestmark = pytest.mark.loopback


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_run_list_says_what_each_run_is(view_root, serve):
    status, body = serve(view_root).json("/api/runs")
    assert status == 200 and body["message"] is None
    runs = {r["id"]: r for r in body["runs"]}
    assert set(runs) == {"ring8", "digits", "plain"}
    ring = runs["ring8"]
    assert (ring["kind"], ring["status"], ring["steps_done"], ring["steps_total"]) == ("points", "finished", 400, 400)
    assert 0 <= ring["acc"] <= 1 and ring["name"] == "ring8-tiny"


def test_statuses_and_half_written_runs(view_root, tmp_path, serve):
    for name, said in (("diverged", "diverged"), ("budget", "budget"), ("killed", "training")):
        folder = _copy(view_root / "plain", tmp_path / name)
        (folder / "status.json").write_text(json.dumps({"status": said, "step": 20, "steps": 20}))
    live = _copy(view_root / "plain", tmp_path / "live")
    (live / "train.lock").write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    half = tmp_path / "half"
    half.mkdir()
    (half / "metrics.csv").write_text("step,loss_d\n10,1.0\n")
    runs = {r["id"]: r for r in serve(tmp_path).json("/api/runs")[1]["runs"]}
    assert runs["diverged"]["status"] == "diverged" and runs["budget"]["status"] == "stopped"
    assert runs["killed"]["status"] == "finished"  # 'training' left by a dead process, all steps done
    assert runs["live"]["status"] == "training"  # a living process holds the lock
    assert "half written" in runs["half"]["problem"]
    status, facts = serve(tmp_path).json("/api/run?run=half")
    assert status == 200 and facts["panels"] == ["game"]  # the game can be watched; nothing is drawn


def test_a_folder_with_no_runs_says_how_to_make_one(tmp_path, serve):
    status, body = serve(tmp_path).json("/api/runs")
    assert status == 200 and body["runs"] == [] and "gankit train" in body["message"]


def test_live_sends_new_rows_and_resets_after_a_resume(view_root, tmp_path, serve):
    folder = _copy(view_root / "ring8", tmp_path / "ring8")
    server = serve(tmp_path)
    first = server.json("/api/live?run=ring8&since=0")[1]
    n = first["total_rows"]
    assert n == 20 and len(first["rows"]) == n and not first["reset"]
    assert first["grid"]["step"] == 400 and first["threshold"] == 0.0  # hinge: D's sign is its verdict
    assert server.json(f"/api/live?run=ring8&since={n}")[1]["rows"] == []
    header = (folder / "metrics.csv").read_text().splitlines()[0].split(",")
    row = ",".join("420" if c == "step" else "0.5" for c in header)
    with (folder / "metrics.csv").open("a") as f:
        f.write(row + "\n" + row[:7])  # one whole new window, then one being written
    new = server.json(f"/api/live?run=ring8&since={n}")[1]
    assert [r["step"] for r in new["rows"]] == [420.0] and new["steps_done"] == 420
    lines = (folder / "metrics.csv").read_text().splitlines()
    (folder / "metrics.csv").write_text("\n".join(lines[:6]) + "\n")  # a resume replays from an earlier checkpoint
    after = server.json(f"/api/live?run=ring8&since={n + 1}")[1]
    assert after["reset"] and len(after["rows"]) == 5


def test_gan_lab_draws_d_surface_and_samples_at_each_saved_step(view_root, serve):
    server = serve(view_root)
    assert server.json("/api/lab/steps?run=ring8")[1]["steps"] == [100, 200, 300, 400]
    early, late = (server.json(f"/api/lab?run=ring8&step={s}")[1] for s in (100, 400))
    n = late["n"]
    surface = np.array(late["surface"]).reshape(n, n)
    assert np.isfinite(surface).all() and len(late["real"]) == 512 and len(late["fake"]) == 512
    x0, x1, y0, y1 = late["extent"]
    real = np.array(late["real"])
    cols = np.clip(((real[:, 0] - x0) / (x1 - x0) * (n - 1)).round().astype(int), 0, n - 1)
    rows = np.clip(((real[:, 1] - y0) / (y1 - y0) * (n - 1)).round().astype(int), 0, n - 1)
    # a trained D calls the data real: the surface is above D's line at most data points
    assert (surface[rows, cols] > late["threshold"]).mean() > 0.7
    assert not np.allclose(early["fake"], late["fake"])  # the same z, moved by training
    assert len(late["arrows"]) == 96 and all(len(a) == 4 for a in late["arrows"])
    status, body = server.json("/api/lab?run=ring8&step=150")
    assert status == 400 and "saved: 100, 200, 300, 400" in body["error"]


def test_explore_controls_follow_the_run(view_root, serve):
    server = serve(view_root)
    cond = server.json("/api/run?run=digits")[1]
    plain = server.json("/api/run?run=plain")[1]
    ring = server.json("/api/run?run=ring8")[1]
    assert cond["panels"] == ["game", "explore"] and ring["panels"] == ["game", "lab"]
    assert cond["controls"]["class"] and cond["controls"]["arithmetic"] and len(cond["class_names"]) == 10
    assert not plain["controls"]["class"] and not plain["controls"]["arithmetic"] and plain["class_names"] == []
    assert not any(ring["controls"].values())


def _image(server, path: str) -> np.ndarray:
    status, body, headers = server.get(path)
    assert status == 200 and headers["content-type"] == "image/png", body[:200]
    return np.asarray(Image.open(io.BytesIO(body)))


def test_explore_images_follow_seed_class_and_truncation(view_root, serve):
    server = serve(view_root)
    a = _image(server, "/api/explore/sample?run=digits&seed=1&cls=3")
    assert a.shape[:2] == (32, 32)
    assert np.array_equal(a, _image(server, "/api/explore/sample?run=digits&seed=1&cls=3"))  # reproducible
    assert not np.array_equal(a, _image(server, "/api/explore/sample?run=digits&seed=2&cls=3"))
    assert not np.array_equal(a, _image(server, "/api/explore/sample?run=digits&seed=1&cls=7"))
    assert not np.array_equal(a, _image(server, "/api/explore/sample?run=digits&seed=1&cls=3&psi=0.2"))
    strip = _image(server, "/api/explore/interpolate?run=digits&a=1&b=9&steps=5")
    assert strip.shape[1] > 4 * strip.shape[0]  # one row of five


def test_explore_refuses_what_a_run_lacks_in_words(view_root, serve):
    server = serve(view_root)
    status, body = server.json("/api/explore/sample?run=plain&seed=1&cls=3")
    assert status == 400 and "unconditional" in body["error"]
    status, body = server.json("/api/explore/sample?run=ring8&seed=1")
    assert status == 400 and "image runs" in body["error"]
    status, body = server.json("/api/explore/sample?run=digits&seed=one")
    assert status == 400 and "whole number" in body["error"]
    status, body = server.json("/api/explore/interpolate?run=digits&a=/etc/passwd.npz&b=1")
    assert status == 400
    status, body = server.json("/api/explore/mix?run=digits")
    assert status == 400 and "StyleGAN2" in body["error"]
    assert server.json("/api/run?run=../../etc")[0] == 404
    assert server.get("/api/file?run=ring8&path=../../../etc/passwd")[0] == 404
    assert server.get("/api/file?run=ring8&path=config.json")[0] == 404  # only pictures and sounds


def test_download_carries_the_runs_provenance(view_root, serve):
    status, body, headers = serve(view_root).get("/api/explore/sample?run=digits&seed=4&cls=1&download=1")
    assert status == 200 and "attachment" in headers["content-disposition"]
    meta = read_metadata(Image.open(io.BytesIO(body)))
    assert meta["run"] == run_id(view_root / "digits") and meta["generator"] == "digits-cdcgan-tiny"


def test_detect_panel_reads_provenance_and_refuses_a_non_image(view_root, serve):
    server = serve(view_root)
    _, generated, _ = server.get("/api/explore/sample?run=digits&seed=4&cls=1")
    status, body = server.json("/api/detect", data=generated)
    assert status == 200 and body["provenance"]["found"]
    assert body["provenance"]["runs"] == [str((view_root / "digits").resolve())]
    assert body["detectors"] == [] and "gankit detect train" in body["message"]
    status, body = server.json("/api/detect", data=b"not an image")
    assert status == 400 and "not a readable image" in body["error"] and "upload" in body["error"]


def test_view_refuses_a_port_in_use_and_names_a_free_one(view_root, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["view", str(view_root), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port}" in err and "already in use" in err and "--port" in err
    assert len(err.strip().splitlines()) <= 3


def test_view_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["view", str(tmp_path / "nowhere")]) == 2
    assert "gankit train" in capsys.readouterr().err


def test_run_ids_with_spaces_are_served(view_root, tmp_path, serve):
    _copy(view_root / "plain", tmp_path / "group" / "my run")
    server = serve(tmp_path)
    assert [r["id"] for r in server.json("/api/runs")[1]["runs"]] == ["group/my run"]
    assert _image(server, f"/api/explore/sample?run={quote('group/my run', safe='')}&seed=0").shape[:2] == (32, 32)


def test_live_follows_a_resume_and_the_balancers_log(view_root, tmp_path, serve):
    """A client that keeps what /api/live sends ends with exactly the rows on disk, across a resume."""
    folder = _copy(view_root / "ring8", tmp_path / "ring8")
    server = serve(tmp_path)
    held: list[dict] = []
    stop = threading.Event()

    def follow() -> None:
        while not stop.is_set():
            body = server.json(f"/api/live?run=ring8&since={len(held)}")[1]
            held[:] = body["rows"] if body["reset"] else held + body["rows"]

    poller = threading.Thread(target=follow, daemon=True)
    poller.start()
    assert main(["train", "--resume", str(folder), "--set", "train.steps=600", "--set", "log.progress=false"]) == 0
    stop.set()
    poller.join(30)
    follow_once = server.json(f"/api/live?run=ring8&since={len(held)}")[1]
    held[:] = follow_once["rows"] if follow_once["reset"] else held + follow_once["rows"]
    assert held == read_metrics(folder / "metrics.csv") and held[-1]["step"] == 600
    assert follow_once["status"] == "finished" and follow_once["steps_done"] == 600
    (folder / "balance.jsonl").write_text(
        json.dumps({"step": 140, "mode": "lr", "from": 1.0, "to": 0.5, "reason": "D accuracy 0.950 > 0.8"}) + "\n{half")
    events = server.json("/api/live?run=ring8&since=0")[1]["balance"]
    assert events == [{"step": 140, "action": "lr 1 → 0.5", "reason": "D accuracy 0.950 > 0.8"}]


def test_other_sites_are_refused(view_root, serve, monkeypatch):
    monkeypatch.setattr(server_module, "MAX_UPLOAD_BYTES", 4096)  # small, so the refused body is sent whole
    server = serve(view_root)
    assert server.get("/api/runs", headers={"Host": "attacker.example:8765"})[0] == 400  # DNS rebinding
    _, image, _ = server.get("/api/explore/sample?run=digits&seed=4&cls=1")
    status, body = server.json("/api/detect", image, {"Origin": "http://attacker.example"})
    assert status == 403 and "this page" in body["error"]
    status, body = server.json("/api/detect", image, {"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 400 and "octet-stream" in body["error"]
    status, body = server.json("/api/detect", b"x" * 5000)
    assert status == 400 and "under 20 MB" in body["error"]
    assert list(server.scratch.iterdir()) == []  # no upload is kept, answered or refused


def test_numbers_a_diverged_run_logged_do_not_break_the_list(view_root, tmp_path, serve):
    folder = _copy(view_root / "plain", tmp_path / "nan")
    with (folder / "metrics.csv").open("a") as f:
        header = (folder / "metrics.csv").read_text().splitlines()[0].split(",")
        f.write(",".join("30" if c == "step" else "nan" for c in header) + "\n")
    runs = serve(tmp_path).json("/api/runs")[1]["runs"]
    assert runs[0]["acc"] is None and runs[0]["steps_done"] == 30


def test_a_reused_pid_is_not_a_trainer(view_root, tmp_path, serve):
    folder = _copy(view_root / "plain", tmp_path / "reused")
    me = os.getpid()
    owner = {"pid": me, "host": socket.gethostname(), "started": process_start(me) - 100}  # a trainer long gone
    (folder / "train.lock").write_text(json.dumps(owner))
    assert serve(tmp_path).json("/api/runs")[1]["runs"][0]["status"] == "finished"


def test_downloads_of_runs_with_any_name(view_root, tmp_path, serve):
    _copy(view_root / "plain", tmp_path / "échantillon 甲")
    status, body, headers = serve(tmp_path).get(f"/api/explore/sample?run={quote('échantillon 甲')}&seed=1&download=1")
    assert status == 200 and "filename*=UTF-8''" in headers["content-disposition"]


def test_metrics_are_parsed_again_only_when_the_file_changed(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text("step,loss_d\n10,0.5\n20,0.4\n")
    first = metrics_rows(run)
    assert [r["step"] for r in first] == [10, 20] and metrics_rows(run) is first  # unchanged: the parsed rows
    with open(run / "metrics.csv", "a") as f:
        f.write("30,0.3\n")
    assert [r["step"] for r in metrics_rows(run)] == [10, 20, 30]
    (run / "metrics.csv").unlink()
    assert metrics_rows(run) == ()
