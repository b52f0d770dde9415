"""StyleGAN2 on this CPU: training speed by precision and compile, DDP scaling, and the judge against DCGAN.

    python -m bench.stylegan2 speed [--blocks 5 --steps 10]   # fp32 / bf16 / fp32+compile, side by side
    python -m bench.stylegan2 ddp [--steps 40]                # torchrun 1 vs 2 processes (gloo), img/s
    python -m bench.stylegan2 judge [--minutes 5]             # fashion-stylegan2 vs fashion-dcgan, same budget

speed: one process builds the fashion-stylegan2 game (32 px, its lazy R1, path length and style
mixing) three times, and times blocks of full training iterations in turn (A, B, C, A, B, C, ...)
so machine noise hits all; img/s counts real images through D (batch × iterations / seconds).
ddp: the same preset under `torchrun --standalone --nproc_per_node N` for N = 1, 2, one thread per
process, the global batch fixed; efficiency = img/s(2) / (2 · img/s(1)).
judge: both presets train for the same wall-clock budget, then `gankit eval` scores 10k samples
of each against the Fashion-MNIST test split with the shipped domain classifier.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

import gankit
from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.training.loop import Trainer

OUT = Path("bench/out/stylegan2")


def speed(args) -> None:
    """Side-by-side img/s of fp32, bf16 and fp32 + torch.compile."""
    variants = {"fp32": {"train.precision": "fp32"}, "bf16": {"train.precision": "bf16"},
                "fp32 + compile": {"train.precision": "fp32", "train.compile": True}}
    trainers, batch = {}, None
    for name, over in variants.items():
        cfg = as_config("fashion-stylegan2", {**over, "log.progress": False})
        batch = cfg.train.batch_size
        phases = build_game(cfg, load_data(cfg), torch.device("cpu"))
        state = phases.state
        trainers[name] = Trainer(state, phases.schedule(), log_every=10**9)
        t = time.perf_counter()
        trainers[name].fit(args.warmup)  # includes compilation for the compiled variant
        print(f"{name}: warm-up {args.warmup} iterations {time.perf_counter() - t:.1f} s", flush=True)
    times = {name: [] for name in variants}
    for _ in range(args.blocks):
        for name, tr in trainers.items():
            t = time.perf_counter()
            tr.fit(tr.state.step + args.steps)
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["fp32"])
    print(f"\n| variant | img/s (median of {args.blocks} blocks × {args.steps} iterations, batch {batch}) | "
          f"speed-up vs fp32 |\n|---|---|---|")
    result = {}
    for name, ts in times.items():
        med = statistics.median(ts)
        result[name] = batch * args.steps / med
        print(f"| {name} | {result[name]:.1f} | {base / med:.2f}× |")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "speed.json").write_text(json.dumps({"img_per_s": result, "threads": torch.get_num_threads()}, indent=2))


def _torchrun(n: int, steps: int, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}", "-m", "gankit",
           "train", "fashion-stylegan2", "--out", str(out), "--set", f"train.steps={steps}",
           "--set", "log.every=10", "--set", "log.sample_every=100000", "--set", f"log.checkpoint_every={steps}",
           "--set", "log.progress=false", "--set", "log.report=none", "--set", "log.tensorboard=false"]
    env = {**__import__("os").environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode:
        raise SystemExit(res.stderr[-3000:])
    rows = (out / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    t = [float(r.split(",")[header.index("time")]) for r in rows[1:]]
    step = [float(r.split(",")[header.index("step")]) for r in rows[1:]]
    return (step[-1] - step[1]) / (t[-1] - t[1])  # iterations/s after the first window (start-up excluded)


def ddp(args) -> None:
    """img/s with 1 and 2 torchrun processes at the same global batch."""
    batch = as_config("fashion-stylegan2").train.batch_size
    rates = {n: _torchrun(n, args.steps, OUT / f"ddp{n}") * batch for n in (1, 2)}
    print(f"| processes | img/s (global batch {batch}, 1 thread each) |\n|---|---|")
    for n, r in rates.items():
        print(f"| {n} | {r:.1f} |")
    print(f"\nscaling efficiency: {rates[2] / (2 * rates[1]):.2f} (speed-up {rates[2] / rates[1]:.2f}× on 2 processes)")


def judge(args) -> None:
    """Both presets for the same budget, then the same evaluation."""
    from gankit.evaluation import evaluate, setup_for

    runs = {}
    for preset in ("fashion-stylegan2", "fashion-dcgan"):
        out = OUT / f"judge-{preset}"
        shutil.rmtree(out, ignore_errors=True)
        runs[preset] = gankit.train(preset, out=out, overrides=[
            "train.steps=1000000", f"train.budget_minutes={args.minutes}", "log.progress=false"])
    setup = setup_for(runs["fashion-dcgan"], None)
    keys = ["fid", "kid", "precision", "recall", "density", "coverage", "c2st"]
    print(f"\n| preset ({args.minutes} CPU-min, 10k samples vs Fashion-MNIST test, domain features) | steps | "
          + " | ".join(keys) + " |\n|---|---|" + "---|" * len(keys))
    for preset, run in runs.items():
        card = evaluate(run, n=10_000, setup=setup, metrics="fid,kid,pr,dc,c2st")
        vals = [card["metrics"][k]["value"] for k in keys]
        print(f"| {preset} | {run.step} | " + " | ".join(f"{v:.4g}" for v in vals) + " |")
        (run.path / "judge.json").write_text(json.dumps(card, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--blocks", type=int, default=5)
    s.add_argument("--steps", type=int, default=10)
    s.add_argument("--warmup", type=int, default=8)
    d = sub.add_parser("ddp")
    d.add_argument("--steps", type=int, default=60)
    j = sub.add_parser("judge")
    j.add_argument("--minutes", type=float, default=5.0)
    args = ap.parse_args()
    {"speed": speed, "ddp": ddp, "judge": judge}[args.what](args)


if __name__ == "__main__":
    main()
