"""Scale-out: DDP on CPU with the gloo backend, two processes on this machine."""

import socket
import subprocess
import sys

import ddp_worker
import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

import gankit
from gankit.errors import CheckpointError
from gankit.training.checkpoint import latest_checkpoint

pytestmark = [pytest.mark.loopback,
              pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed is not built")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn2(out, mode) -> None:
    """Two gloo ranks on a fresh loopback port; one retry if the port was taken meanwhile (a race of
    finding a free port, not of the code under test)."""
    for attempt in range(2):
        try:
            mp.spawn(ddp_worker.run, args=(2, _free_port(), str(out), mode), nprocs=2, join=True)
            return
        except mp.ProcessRaisedException as e:
            if attempt or "address already in use" not in str(e).lower():
                raise


def test_two_ranks_keep_identical_weights(tmp_path):
    _spawn2(tmp_path, "train")
    a, b = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    for net in ("G", "D"):
        for k in a[net]:
            assert torch.equal(a[net][k], b[net][k]), f"{net}.{k} differs between ranks"


def test_ranks_end_each_iteration_with_rank_0s_batch_norm_statistics(tmp_path):
    # DDP does not broadcast buffers before each forward (on GPUs that broke cuDNN's batch norm backward:
    # D judges real and fake in two forwards); the Trainer broadcasts them once per iteration instead.
    _spawn2(tmp_path, "buffers")
    a, b = torch.load(tmp_path / "buffers0.pt"), torch.load(tmp_path / "buffers1.pt")
    assert any("running_mean" in k for k in a["D"])
    for net in ("G", "D"):
        for k in a[net]:
            assert torch.equal(a[net][k], b[net][k]), f"{net}.{k} differs between ranks"


def test_ddp_wrappers_do_not_broadcast_buffers_in_forward():
    from gankit.training.distributed import wrap_ddp

    store = torch.distributed.HashStore()
    torch.distributed.init_process_group("gloo", store=store, rank=0, world_size=1)
    try:
        assert wrap_ddp(torch.nn.BatchNorm1d(3), torch.device("cpu")).broadcast_buffers is False
    finally:
        torch.distributed.destroy_process_group()


def test_ddp_gradient_equals_one_process_at_the_same_total_batch(tmp_path):
    _spawn2(tmp_path, "grad")
    ddp_worker.run(0, 1, 0, str(tmp_path), "grad")
    single = torch.load(tmp_path / "grad1-0.pt")
    for rank in (0, 1):
        ddp = torch.load(tmp_path / f"grad2-{rank}.pt")
        for net in ("D", "G"):
            for k, g in single[net].items():
                assert torch.allclose(ddp[net][k], g, atol=1e-6, rtol=1e-4), f"{net}.{k}"


def _torchrun(*args, nproc=2):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "gankit", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_torchrun_trains_writes_once_and_resumes_on_one_process(tmp_path):
    out = tmp_path / "run"
    res = _torchrun("train", "ring8-tiny", "--out", str(out), "--set", "train.steps=20", "--set", "data.n=512",
                    "--set", "train.batch_size=16", "--set", "log.every=5", "--set", "log.checkpoint_every=10",
                    "--set", "log.progress=false")
    assert res.returncode == 0, res.stderr[-3000:]
    assert not (tmp_path / "run-2").exists()  # only rank 0 made the run folder
    rows = (out / "metrics.csv").read_text().splitlines()
    assert len(rows) == 1 + 4  # one header, one row per logged window (not one per rank)
    extra = torch.load(latest_checkpoint(out / "checkpoints") / "state.pt", weights_only=True)
    assert extra["world_size"] == 2 and len(extra["rank_streams"]) == 2
    with pytest.raises(CheckpointError, match="(?s)trained by 2 process.*nproc_per_node 2.*allow_world_change"):
        gankit.train(resume=out, overrides={"train.steps": 30})
    run = gankit.train(resume=out, overrides={"train.steps": 30, "train.allow_world_change": True,
                                              "log.progress": False})
    assert run.step == 30 and torch.isfinite(run.sample(100)).all()


def test_batch_that_does_not_divide_among_ranks_is_refused(tmp_path):
    res = _torchrun("train", "ring8-tiny", "--out", str(tmp_path / "r"), "--set", "train.batch_size=15",
                    "--set", "data.n=512")
    assert res.returncode != 0 and "does not divide among 2 processes" in res.stderr


def test_close_distributed_leaves_the_process_group(tmp_path):
    from gankit.training.distributed import close_distributed

    torch.distributed.init_process_group("gloo", init_method=f"file://{tmp_path}/store", rank=0, world_size=1)
    try:
        close_distributed()
        assert not torch.distributed.is_initialized()
    finally:
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
    close_distributed()  # without a group: nothing to do, no error


def test_torchrun_trains_a_cyclegan(tmp_path):
    """The translation game under DDP: each generator runs twice per backward pass (static_graph)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for sub in ("trainA", "trainB", "testA", "testB"):
        (tmp_path / "d" / sub).mkdir(parents=True)
        for i in range(8):
            Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(tmp_path / "d" / sub / f"{i}.png")
    out = tmp_path / "run"
    res = _torchrun("train", "folder-cyclegan-tiny", "--set", f"data.path={tmp_path / 'd'}", "--set", "train.steps=4",
                    "--set", "log.checkpoint_every=2", "--set", "log.sample_every=2", "--out", str(out))
    assert res.returncode == 0, res.stderr[-2000:]
    ckpt = latest_checkpoint(out / "checkpoints")
    assert {p.stem for p in ckpt.glob("*.safetensors")} == {"G_AB", "G_BA", "D_A", "D_B"}


def test_one_rank_under_torchrun_runs_the_ddp_path_with_lazy_penalties_and_resumes(tmp_path):
    # A one-GPU machine checks the NCCL path this way (bench.gpu_check); here gloo. StyleGAN2's lazy R1 and
    # path length leave weights without gradients, which a DDP wrapper refuses unless every weight is touched.
    out, steps = tmp_path / "run", ["--set", "log.progress=false", "--set", "data.n=256"]
    res = _torchrun("train", "fashion-stylegan2-tiny", "--out", str(out), "--set", "train.steps=10", *steps, nproc=1)
    assert res.returncode == 0, res.stderr[-3000:]
    extra = torch.load(latest_checkpoint(out / "checkpoints") / "state.pt", weights_only=True)
    assert extra["step"] == 10 and extra["world_size"] == 1
    res = _torchrun("train", "--resume", str(out), "--set", "train.steps=20", *steps, nproc=1)
    assert res.returncode == 0, res.stderr[-3000:]
    assert torch.load(latest_checkpoint(out / "checkpoints") / "state.pt", weights_only=True)["step"] == 20


def test_a_process_launched_by_torchrun_trains_through_ddp_even_alone(monkeypatch):
    from gankit.training.distributed import context_from_env

    monkeypatch.delenv("RANK", raising=False)
    assert not context_from_env().enabled
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    ctx = context_from_env()
    assert ctx.enabled and ctx.world_size == 1 and ctx.launched
