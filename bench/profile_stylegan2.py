"""Where a StyleGAN2 training step spends its time: torch.profiler over the folder-stylegan2 recipe (issue 23).

    python -m bench.profile_stylegan2 [--sizes 64,128] [--steps 32] [--batch 32] [--device cuda] [--set KEY=VALUE ...]

The recipe and the synthetic images are bench.gpu_stylegan2's (lazy R1 every 16, path length
every 4, style mixing; width 128). After a warm-up of 16 steps, which covers both lazy phases, it
profiles `--steps` iterations and prints, per size:
- wall time per step and the device's busy time (its kernels) as a share of it;
- kernel launches per step, and the host-device synchronisations (`.item()`, copies to the host,
  stream and device syncs);
- each phase of the game (D, G, R1, path length): calls, host time and GPU span per step;
- the 12 operators whose kernels take the most device time (on a CPU: the most host time), then the
  8 costliest kernels.

On a CPU (`--device cpu`, where there is no GPU) the same table profiles the host alone: a check
that the script runs, and the shape of the work, not GPU figures.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile, record_function

from bench.gpu_stylegan2 import _data, recipe, sync
from gankit.api import as_config
from gankit.build import build_game
from gankit.training.loop import Trainer
from gankit.training.phase import Stats

SYNCS = ("aten::item", "aten::_local_scalar_dense", "cudaStreamSynchronize", "cudaDeviceSynchronize",
         "cudaMemcpy", "aten::to", "aten::copy_")


def labelled(name: str, run: Callable[[bool], Stats]) -> Callable[[bool], Stats]:
    """A phase's step, named in the profile."""
    def step(log: bool) -> Stats:
        with record_function(f"phase: {name}"):
            return run(log)
    return step


def trainer_for(size: int, args: argparse.Namespace) -> Trainer:
    """The folder-stylegan2 game at one size, its phases labelled."""
    cfg = recipe(size, args.width, args.device, **{"train.batch_size": args.batch, "train.precision": args.precision})
    cfg = as_config(cfg, args.set) if args.set else cfg  # e.g. train.channels_last=true
    game = build_game(cfg, _data(size, n=max(256, 4 * args.batch)), torch.device(args.device))
    phases = game.schedule()
    for phase in phases:
        phase.run = labelled(phase.name, phase.run)
    return Trainer(game.state, phases, log_every=args.log_every)


def report(prof: profile, steps: int, wall: float, device: str) -> None:
    """Print the tables of one profiled size.

    Device time is counted once: the kernels' own time (an operator's "self device time" is the time of
    the kernels it launched, so adding both would count it twice). A phase's host time is its Python and
    launch time; its GPU span runs from its first to its last kernel, idle gaps included.
    """
    events = prof.key_averages()
    on_device = device == "cuda"
    kernels = [e for e in events if e.device_type == DeviceType.CUDA and not e.key.startswith("phase: ")]
    busy = sum(e.self_device_time_total for e in kernels) / 1e6 if on_device else 0.0
    launches = sum(e.count for e in events if e.key.startswith(("cudaLaunchKernel", "cuLaunchKernel")))
    syncs = {k: sum(e.count for e in events if e.key == k) for k in SYNCS}
    print(f"wall {wall / steps * 1000:.1f} ms/step; device busy {busy / steps * 1000:.1f} ms/step "
          f"({100 * busy / wall:.0f}%); kernel launches {launches / steps:.0f}/step")
    print("host-device synchronisations per step: " +
          ", ".join(f"{k} {v / steps:.1f}" for k, v in syncs.items() if v))
    print("\n| phase | calls/step | host ms/step | GPU span ms/step |\n|---|---|---|---|")
    phases = sorted({e.key for e in events if e.key.startswith("phase: ")})
    for name in phases:
        host = next(e for e in events if e.key == name and e.device_type == DeviceType.CPU)
        span = sum(e.device_time_total for e in events if e.key == name and e.device_type == DeviceType.CUDA)
        print(f"| {name[7:]} | {host.count / steps:.2f} | {host.cpu_time_total / steps / 1000:.2f} | "
              f"{span / steps / 1000:.2f} |")
    ops = [e for e in events if e.device_type == DeviceType.CPU and not e.key.startswith("phase: ")]
    key = (lambda e: e.self_device_time_total) if on_device else (lambda e: e.self_cpu_time_total)
    print(f"\n| operator | calls/step | {'device ms/step (its kernels)' if on_device else 'self host ms/step'} |"
          "\n|---|---|---|")
    for e in sorted(ops, key=key, reverse=True)[:12]:
        print(f"| {e.key} | {e.count / steps:.1f} | {key(e) / steps / 1000:.2f} |")
    if on_device:
        print("\n| kernel | calls/step | device ms/step |\n|---|---|---|")
        for e in sorted(kernels, key=lambda e: e.self_device_time_total, reverse=True)[:8]:
            print(f"| {e.key[:110]} | {e.count / steps:.1f} | {e.self_device_time_total / steps / 1000:.2f} |")


def main() -> None:
    """Warm up, profile, print."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="64,128")
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--precision", default="bf16")
    ap.add_argument("--log-every", type=int, default=16, help="logged windows (their syncs are part of the cost)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--set", action="append", default=[], help="a config override, e.g. train.channels_last=true")
    ap.add_argument("--width", type=int, default=128, help="128: StyleGAN2-ADA's channels; small only to try the script")
    args = ap.parse_args()
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if args.device == "cuda" else [])
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU (host only: not GPU figures)"
    print(f"device: {name}; torch {torch.__version__}; batch {args.batch}, {args.precision} {' '.join(args.set)}")
    for size in map(int, args.sizes.split(",")):
        trainer = trainer_for(size, args)
        trainer.fit(16)  # warm-up: both lazy phases have run
        sync(args.device)
        with profile(activities=activities) as prof:
            t = time.perf_counter()
            trainer.fit(16 + args.steps)
            sync(args.device)
            wall = time.perf_counter() - t
        print(f"\n## {size} px: {args.batch * args.steps / wall:.1f} img/s while profiled")
        report(prof, args.steps, wall, args.device)


if __name__ == "__main__":
    main()
