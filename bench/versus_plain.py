"""fashion-dcgan against the loop a user writes by hand, at equal steps and at equal wall time.

    python -m bench.versus_plain [--steps 6000] [--n 10000] [--out bench/out/versus-plain] [--set KEY=VALUE ...]

Trains the fashion-dcgan preset for --steps steps of 64 (wall time W, this machine), then
bench/plain_dcgan.py's loop (the PyTorch DCGAN example's step: same networks, BCE, Adam 2e-4,
β1 0.5, fp32, no EMA) for the same steps, keeping its weights at time W too (it trains on past the
steps when it is the faster of the two, so that mark is always at W). All three are scored
by the same gankit evaluation: n samples against the Fashion-MNIST test split in the shipped
domain classifier's features (FID, KID, precision/recall, density/coverage, C2ST). It prints one
table with the FID ratio plain/gankit (above 1: gankit is better).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import gankit
from bench.fashion_budget import train_plain
from gankit.evaluation import evaluate, setup_for
from gankit.run import load_run

KEYS = ["fid", "kid", "precision", "recall", "density", "coverage", "c2st"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=Path("bench/out/versus-plain"))
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    t0 = time.perf_counter()
    run = gankit.train("fashion-dcgan", out=args.out / "gankit", overrides=[
        f"train.steps={args.steps}", "log.progress=false", "log.report=none", *args.overrides])
    wall = time.perf_counter() - t0
    steps, marked, plain_wall = train_plain(run.config, None, args.out / "plain", steps=args.steps, mark_s=wall,
                                            mark_out=args.out / "plain-equal-time")
    setup = setup_for(run, None)
    runs = {f"gankit fashion-dcgan, {args.steps} steps ({wall:.0f} s)": run,
            f"plain loop, {steps} steps ({plain_wall:.0f} s)": load_run(args.out / "plain"),
            f"plain loop at gankit's wall time, {marked} steps": load_run(args.out / "plain-equal-time")}
    cards = {name: evaluate(r, n=args.n, setup=setup, metrics="fid,kid,pr,dc,c2st") for name, r in runs.items()}
    print(f"\n| run ({args.n} samples vs Fashion-MNIST test, domain features) | " + " | ".join(KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for name, card in cards.items():
        print(f"| {name} | " + " | ".join(f"{card['metrics'][k]['value']:.4g}" for k in KEYS) + " |")
    fids = [card["metrics"]["fid"]["value"] for card in cards.values()]
    print(f"\nFID ratio plain / gankit: {fids[1] / fids[0]:.2f} at equal steps, {fids[2] / fids[0]:.2f} at equal wall time")
    (args.out / "versus.json").write_text(json.dumps({"wall_s": {"gankit": wall, "plain": plain_wall},
                                                      "plain_steps_at_gankit_wall": marked, "cards": cards}, indent=2))


if __name__ == "__main__":
    main()
