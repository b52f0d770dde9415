"""Can the automatic balancer rescue a game that fails without it? Side by side on the same seeds.

    python -m bench.balance_rescue [--preset ring8-basic] [--seeds 3] [--break model.d_width=512] [--mode d_steps]

The broken game takes the preset and spoils one setting (by default D 4× as wide as G, one of the
two breakages issue 3 names); the rescued game is the same broken config with `balance.mode` on.
Each seed is scored by the PacGAN protocol (2500 samples), and the balancer's adjustments are
counted from balance.jsonl.

Defaults, and why (ring8-basic, seeds 0-2):
- `--mode d_steps`: on this game lowering D's *learning rate* does not lower D's accuracy (D keeps
  the sharp boundary it already learned, accuracy stays at 0.85-0.9), so the lr knob winds down to
  its floor (1/100) and G can no longer be refined; fewer D updates per G update do lower it.
- `--every 10` (and log.every = every, since the balancer decides on logged windows): a strong D
  drops modes within a few hundred steps; a decision every 100 steps comes too late.
- band 0.5-0.65: the healthy game's D accuracy sits at 0.53-0.64 for most of training.
Other breakages that the same balancer rescues: `--break train.lr_d=0.02` (D's lr ×10) and
`--break train.d_steps=5` (five D updates per G update).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch

import gankit
from gankit.data.toy2d import mixture_centres, mixture_std
from gankit.metrics.modes import mode_coverage


def score(preset: str, overrides: list[str], seed: int, out: Path) -> dict:
    """Train one seed; return its mode coverage, wall time and balancer adjustments."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(preset, out=out, overrides=[f"seed={seed}", "log.progress=false", "log.tensorboard=false",
                                                   "log.report=none", *overrides])
    name = run.config.data.name
    cov = mode_coverage(run.sample(2500, seed=0), mixture_centres(name), mixture_std(name))
    log = out / "balance.jsonl"
    adjustments = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    return {"seconds": time.perf_counter() - t, "adjustments": len(adjustments),
            "final_knob": adjustments[-1]["to"] if adjustments else None, **cov.as_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="ring8-basic")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--break", dest="breakage", action="append", default=None,
                    help="override(s) that spoil the game (default: D's width 4× G's)")
    ap.add_argument("--mode", default="d_steps", choices=["lr", "d_steps"])
    ap.add_argument("--every", type=int, default=10,
                    help="iterations between the balancer's decisions (log.every is set to the same value)")
    ap.add_argument("--band", default="0.5,0.65",
                    help="D-accuracy band acc_low,acc_high (default 0.5,0.65: the healthy ring8-basic game sits at "
                         "0.53-0.64 over training, the broken one at 0.69-0.76)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/rescue"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    base = gankit.load_config(args.preset)
    breakage = args.breakage or [f"model.d_width={4 * base.model.g_width}"]
    low, high = args.band.split(",")
    balancer = [f"balance.mode={args.mode}", f"balance.acc_low={low}", f"balance.acc_high={high}",
                f"balance.every={args.every}"]
    logging = [f"log.every={args.every}"]  # same logging in all three games, so they train identically
    games = {"healthy": logging, "broken": [*logging, *breakage], "broken + balancer": [*logging, *breakage, *balancer]}
    print(f"preset {args.preset}; broken by {' '.join(breakage)}; balancer: {' '.join(balancer)}\n")
    print("| game | seed | modes | HQ % | reverse KL | spread | balancer adjustments | final knob | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, over in games.items():
        for seed in range(args.seeds):
            r = score(args.preset, over, seed, args.out / f"{label.replace(' ', '')}-{seed}")
            knob = "" if r["final_knob"] is None else f"{r['final_knob']:.3g}"
            print(f"| {label} | {seed} | {r['modes']}/{r['n_modes']} | {100 * r['hq_fraction']:.1f} | "
                  f"{r['reverse_kl']:.3f} | {r['spread']:.3f} | {r['adjustments']} | {knob} | {r['seconds']:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
