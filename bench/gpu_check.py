"""The CUDA paths on a real GPU, in one short script (a few minutes on one GPU).

    python -m bench.gpu_check [--out /tmp/gpu_check] [--steps 300] [--checks precisions,ring8,ddp,cli]

What a CPU machine cannot check, each step printed as PASS or FAIL with its numbers:
1. DCGAN training on CUDA in fp32, bf16 autocast and fp16 with the per-player loss scalers
   (losses finite; fp16's scales are saved in the checkpoint and are finite, positive);
2. a CUDA-trained run opened on the CPU (weights load and sample without a GPU);
3. resume on CUDA (the last precision, fp16 by default) from that checkpoint to a later step;
4. ring8, the recommended 2-D preset, trained on CUDA and scored with PacGAN's protocol
   (the same quality thresholds as the CPU learning test: 8 modes, HQ >= 90%);
5. the DDP path over NCCL in a one-rank group (`torchrun --nproc_per_node 1`): digits-dcgan with lazy R1
   (whose step leaves weights without gradients, which DDP refuses unless every weight is touched), a
   checkpoint, and a resume under torchrun. Two or more GPUs stay unchecked: the all-reduce between
   devices, the per-rank noise streams and batch slices across GPUs;
6. `gankit sample` and `gankit eval` with `--device cuda` on the first precision's run (after check 1):
   bf16 samples (`--precision auto`) within a level of fp32's on average, and the metric card computed
   on the GPU equal to the CPU's (FID within 1%), in fp32 and bf16.
The exit code is the number of failed checks. StyleGAN2's GPU speed is `python -m bench.gpu_stylegan2`.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import torch

FAILURES: list[str] = []


def check(name: str, ok: bool, detail: str) -> None:
    """Print one check's outcome and remember failures."""
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
    if not ok:
        FAILURES.append(name)


def last_losses(run_dir: Path) -> dict[str, float]:
    """The last logged row of a run's metrics.csv."""
    from gankit.training.callbacks import read_metrics

    return read_metrics(run_dir / "metrics.csv")[-1]


def scaler_scales(run_dir: Path) -> list[float]:
    """The loss scales of G's and D's scalers saved in the latest checkpoint (fp16 runs)."""
    from gankit.training.checkpoint import latest_checkpoint, load_extra

    components = load_extra(latest_checkpoint(run_dir / "checkpoints"))["components"]
    return [float(components[name]["scale"]) for name in ("scaler_g", "scaler_d") if name in components]


def main() -> None:
    """Run the chosen checks; the exit code is the number that failed."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/gpu_check"))
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--device", default="cuda", help="'cpu' only to try this script itself on a machine without a GPU")
    ap.add_argument("--precisions", default="fp32,bf16,fp16")
    ap.add_argument("--checks", default="precisions,ring8,ddp,cli", help="which checks, in this order (cli after precisions)")
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this script checks the GPU paths")
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu"
    print(f"device: {name}; torch {torch.__version__}; CUDA {torch.version.cuda}", flush=True)
    shutil.rmtree(args.out, ignore_errors=True)
    checks = {"precisions": precisions_check, "ring8": ring8_check, "ddp": ddp_check, "cli": cli_check}
    for name in args.checks.split(","):  # in the order given
        checks[name](args)
    print(json.dumps({"failed": FAILURES}))
    raise SystemExit(len(FAILURES))


QUIET = ["log.progress=false", "log.tensorboard=false", "log.report=none"]


def precisions_check(args: argparse.Namespace) -> None:
    """Checks 1-3: train, sample on the CPU, resume, in each precision."""
    import gankit

    quiet = QUIET
    precisions = args.precisions.split(",")
    for precision in precisions:
        out = args.out / f"digits-{precision}"
        t = time.perf_counter()
        try:
            run = gankit.train("digits-dcgan", out=out, overrides=[
                f"device={args.device}", f"train.precision={precision}", f"train.steps={args.steps}",
                f"log.checkpoint_every={args.steps}", f"log.sample_every={args.steps}", *quiet])
        except Exception as e:
            check(f"train {precision}", False, f"{type(e).__name__}: {e}")
            continue
        row = last_losses(out)
        finite = all(math.isfinite(v) for v in row.values())
        check(f"train {precision} on {args.device}", finite and run.step == args.steps,
              f"{args.steps} steps in {time.perf_counter() - t:.1f} s; last row "
              + ", ".join(f"{k}={v:.3g}" for k, v in row.items() if k.startswith(("loss", "d_")))[:300])
        if precision == "fp16":
            scales = scaler_scales(out)
            check("fp16 loss scalers checkpointed", len(scales) == 2 and all(0 < s < math.inf for s in scales),
                  f"scales {scales}")
        cpu = gankit.load_run(out, device="cpu")
        x = cpu.sample(16, seed=0)
        check(f"{precision} run sampled on CPU", x.device.type == "cpu" and bool(torch.isfinite(x).all()),
              f"{tuple(x.shape)}, range [{x.min():.2f}, {x.max():.2f}]")
        if precision == precisions[-1]:
            try:
                resumed = gankit.train(resume=out, overrides=[f"train.steps={args.steps + 100}", *quiet])
                check(f"resume {precision} on {args.device}", resumed.step == args.steps + 100 and
                      all(math.isfinite(v) for v in last_losses(out).values()), f"continued to step {resumed.step}")
            except Exception as e:
                check(f"resume {precision} on {args.device}", False, f"{type(e).__name__}: {e}")


def ring8_check(args: argparse.Namespace) -> None:
    """Check 4: ring8 trained on the device covers its 8 modes."""
    import gankit
    from gankit.data.toy2d import mixture_centres, mixture_std
    from gankit.metrics.modes import mode_coverage

    t = time.perf_counter()
    run = gankit.train("ring8", out=args.out / "ring8", overrides=[f"device={args.device}", *QUIET])
    seconds = time.perf_counter() - t
    for reject in (None, 0.0):
        r = mode_coverage(run.sample(2500, seed=0, reject=reject).cpu(), mixture_centres("ring8"), mixture_std("ring8"))
        how = "the preset's sampler" if reject is None else "without D's rejection"
        check(f"ring8 on {args.device} ({how})",
              r.modes == 8 and r.hq_fraction >= 0.90,
              f"{r.modes}/8 modes, HQ {100 * r.hq_fraction:.1f}%, KL {r.reverse_kl:.4f}, spread {r.spread:.3f}; "
              f"trained in {seconds:.0f} s")


def torchrun(*args: str) -> subprocess.CompletedProcess:
    """`torchrun --standalone --nproc_per_node 1` of a module (a one-rank process group)."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def ddp_check(args: argparse.Namespace) -> None:
    """Check 5: one rank under torchrun trains through DDP on the device's backend, checkpoints and resumes."""
    from gankit.training.checkpoint import latest_checkpoint

    probe = ("import torch, torch.distributed as d; from gankit.training.distributed import init_distributed; "
             f"ctx, dev = init_distributed(torch.device('{args.device}')); print(d.get_backend(), ctx.enabled, dev)")
    res = torchrun("--no-python", sys.executable, "-c", probe)
    backend = res.stdout.strip().splitlines()[-1] if res.returncode == 0 and res.stdout.strip() else res.stderr[-300:]
    check("one-rank process group", res.returncode == 0 and backend.split()[:2] == [
        "nccl" if args.device == "cuda" else "gloo", "True"], f"backend, DDP on, device: {backend}")
    out = args.out / "ddp"
    common = [f"--set={o}" for o in QUIET + ["loss.r1=0.1", "loss.reg_every=4", "log.checkpoint_every=100"]]
    t = time.perf_counter()
    first = torchrun("-m", "gankit", "train", "digits-dcgan", "--out", str(out), f"--set=device={args.device}",
                     "--set=train.steps=200", *common)
    second = torchrun("-m", "gankit", "train", "--resume", str(out), "--set=train.steps=300", *common)
    seconds = time.perf_counter() - t
    failed = next((r for r in (first, second) if r.returncode != 0), None)
    if failed is not None:  # torchrun ends with its own summary: show the rank's error lines instead
        errors = [line for line in failed.stderr.splitlines() if "Error" in line or "error" in line][-4:]
        (args.out / "ddp-stderr.txt").write_text(failed.stderr)
        check("DDP train and resume under torchrun", False,
              f"{'first run' if failed is first else 'resume'}: " + " / ".join(errors)[-900:])
        return
    extra = torch.load(latest_checkpoint(out / "checkpoints") / "state.pt", weights_only=True)
    check("DDP train and resume under torchrun", extra["step"] == 300 and extra["world_size"] == 1,
          f"200 steps, then resumed to step {extra['step']} (world size {extra['world_size']}) in {seconds:.0f} s")



def cli_check(args: argparse.Namespace) -> None:
    """Check 6: `gankit sample` and `gankit eval` on the GPU, against fp32 and against the CPU."""
    import numpy as np

    from gankit.cli.main import main as gankit

    run = args.out / f"digits-{args.precisions.split(',')[0]}"
    if not (run / "checkpoints").is_dir():
        check("gankit sample/eval --device cuda", False, f"no run at {run}: run the precisions check first")
        return
    arrays, fids = {}, {}
    for precision in ("fp32", "auto"):
        out = args.out / f"cli-{precision}.npy"
        t = time.perf_counter()
        code = gankit(["sample", str(run), "--n", "8192", "--device", args.device, "--precision", precision,
                       "--out", str(out)])
        arrays[precision] = np.load(out).astype(np.float64) if code == 0 else None
        check(f"gankit sample --device {args.device} --precision {precision}", code == 0,
              f"8192 samples in {time.perf_counter() - t:.1f} s (start-up included)")
    if arrays["fp32"] is not None and arrays["auto"] is not None:
        diff = np.abs(arrays["auto"] - arrays["fp32"])
        check("bf16 samples against fp32", diff.mean() < 1, f"{diff.mean():.3f} levels on average, at most {diff.max():.0f}")
    for device, precision in ((args.device, "fp32"), ("cpu", "fp32"), (args.device, "bf16")):
        card = args.out / f"card-{device}-{precision}.json"
        t = time.perf_counter()
        code = gankit(["eval", str(run), "--n", "5000", "--metrics", "fid,kid,is", "--device", device,
                       "--precision", precision, "--card", str(card)])
        if code == 0:
            fids[(device, precision)] = json.loads(card.read_text())["metrics"]["fid"]["value"]
        check(f"gankit eval --device {device} --precision {precision}", code == 0,
              f"{time.perf_counter() - t:.1f} s; FID {fids.get((device, precision), float('nan')):.3f}")
    if len(fids) == 3:
        cpu = fids[("cpu", "fp32")]
        for key in ((args.device, "fp32"), (args.device, "bf16")):
            check(f"eval FID on {key[0]} in {key[1]} equals the CPU's", abs(fids[key] - cpu) <= 0.01 * cpu,
                  f"{fids[key]:.3f} against {cpu:.3f}")


if __name__ == "__main__":
    main()
