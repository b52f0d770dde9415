"""Is gankit's DCGAN training step at least as fast as a plain hand-written loop? Side by side, one process.

    python bench/overhead.py [--batch 64] [--blocks 7] [--steps 20] [--precision fp32|bf16] [--set KEY=VALUE ...]

Both loops train the same DCGAN (28 px, width 64, z 100) on the same in-memory data at the
same batch. gankit runs its full Trainer (phases, EMA of G, game statistics, guard, logging
every 50 steps) without checkpoints or pictures. Blocks alternate (gankit, plain, gankit, ...)
so machine noise hits both; the ratio of medians is reported (> 1 means gankit is faster).
--set changes gankit's recipe only (e.g. model.spectral_norm=true loss.r1=0.1), to price an addition.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from bench.plain_dcgan import plain_step
from gankit.api import as_config
from gankit.build import build_game
from gankit.data.base import ArrayDataset
from gankit.games.adversarial import build_networks
from gankit.training.loop import Trainer


def _data(n: int = 4096) -> ArrayDataset:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 1, 28, 28), generator=g, dtype=torch.uint8)
    return ArrayDataset(x=x, y=torch.zeros(n, dtype=torch.long), class_names=["x"], kind="image", name="synthetic")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--blocks", type=int, default=7, help="timed blocks per contender")
    ap.add_argument("--steps", type=int, default=20, help="iterations per block")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    ap.add_argument("--json", type=Path, default=Path("bench/out/overhead.json"))
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="KEY=VALUE for gankit's config")
    args = ap.parse_args()

    bf16 = args.precision == "bf16"
    cfg = as_config("fashion-dcgan", {"train.batch_size": args.batch, "train.precision": args.precision,
                                      "train.channels_last": bf16, "train.ema_decay": 0.999, "log.progress": False})
    data = _data()
    phases = build_game(as_config(cfg, args.overrides), data, torch.device("cpu"))
    state = phases.state
    trainer = Trainer(state, phases.schedule(), log_every=50)

    torch.manual_seed(0)
    G, D = build_networks(cfg, data.sample_shape).values()
    if bf16:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    real_all = data.to_model_space(data.x)
    if bf16:
        real_all = real_all.contiguous(memory_format=torch.channels_last)
    cursor = {"i": 0}

    def plain_block(n: int) -> None:
        for _ in range(n):
            i = cursor["i"] % (len(real_all) - args.batch)
            cursor["i"] += args.batch
            with torch.autocast("cpu", torch.bfloat16, enabled=bf16):
                plain_step(G, D, opt_g, opt_d, real_all[i : i + args.batch], cfg.model.z_dim)

    def gankit_block(n: int) -> None:
        trainer.fit(state.step + n)

    gankit_block(5)
    plain_block(5)  # warm-up
    times = {"gankit": [], "plain": []}
    for _ in range(args.blocks):
        for name, fn in (("gankit", gankit_block), ("plain", plain_block)):
            t = time.perf_counter()
            fn(args.steps)
            times[name].append((time.perf_counter() - t) / args.steps)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["plain"] / med["gankit"]
    result = {
        "batch": args.batch, "precision": args.precision, "threads": torch.get_num_threads(),
        "ms_per_step_gankit": 1000 * med["gankit"], "ms_per_step_plain": 1000 * med["plain"],
        "speed_ratio_gankit_over_plain": ratio, "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__, "gankit_overrides": args.overrides,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"DCGAN 28px width 64, batch {args.batch}, {args.precision}, {torch.get_num_threads()} threads, "
          f"median of {args.blocks} blocks x {args.steps} steps; gankit with {' '.join(args.overrides) or 'the preset'}")
    print(f"  gankit Trainer : {1000 * med['gankit']:.1f} ms/step")
    print(f"  plain loop     : {1000 * med['plain']:.1f} ms/step")
    print(f"  speed ratio (plain time / gankit time): {ratio:.3f}  ({'gankit faster' if ratio >= 1 else 'gankit slower'})")


if __name__ == "__main__":
    main()
