"""What each speed lever adds to StyleGAN2 training on one GPU, alone and together (issue 23).

    python -m bench.gpu_levers [--size 128] [--steps 32] [--end UNIX_TIME] [--only 1,2,4,6]

The folder-stylegan2 recipe of bench.gpu_stylegan2 (width 128: StyleGAN2-ADA's channel counts; lazy
R1 every 16, path length every 4, style mixing 0.9; synthetic images) with the same training maths in
every row. Each row builds a fresh game from the same seed, runs its first iteration alone (every
phase, logged: its losses are compared with the eager row of the same batch and precision, the check
that a compiled or graphed step computes the same numbers), warms up past the second lazy R1 (step 16),
then times `--steps` iterations (a multiple of 16, so the lazy phases weigh what they weigh in training). Rows that would
not finish before `--end` (a Unix time) are skipped and say so; a row that fails prints its error.

The learning rates stay at the recipe's 2.5e-3 whatever the batch, as StyleGAN2-ADA keeps 0.0025 across
its configurations' batches. Adam's square-root rule (Malladi et al. 2022), lr × √(batch / 32), diverged
at batch 256 within 49 steps on an H200 (2026-12-04). Speed does not depend on them, as long as the game
does not diverge.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import torch

from bench.gpu_stylegan2 import _data, recipe, sync
from gankit.build import build_game
from gankit.training.loop import Trainer

RECIPE_BATCH = 32
COMPARED = ("loss_d", "loss_g", "pen_r1", "pen_pl")
WARM = 17  # steps 0 and 16 ran R1 (the first through a compiled D's recompiles, if any)


@dataclass
class Lever:
    """One row: a name, its batch, and the config keys it sets besides the recipe."""

    name: str
    batch: int = RECIPE_BATCH
    keys: dict = field(default_factory=dict)
    log_every: int = 10**9  # the Trainer reads logged numbers once per window; 1 = a host sync every step

    @property
    def compiled(self) -> bool:
        """Whether this row compiles (its warm-up includes compiling)."""
        return bool(self.keys.get("train.compile"))

    @property
    def twin(self) -> tuple:
        """What an eager row must share with this one for their first steps to be compared."""
        return self.batch, self.keys.get("train.precision"), bool(self.keys.get("train.channels_last"))


BF16 = {"train.precision": "bf16"}
CL = {**BF16, "train.channels_last": True}
COMPILE = {**CL, "train.compile": True}
LEVERS = [
    Lever("fp32 (the recipe as measured before)", keys={"train.precision": "fp32"}),
    Lever("bf16", keys=BF16),
    Lever("bf16, logged every step (a host sync per step)", keys=BF16, log_every=1),
    Lever("bf16 + channels_last", keys=CL),
    Lever("bf16 + channels_last, batch 64", 64, CL),
    Lever("bf16 + channels_last, batch 128", 128, CL),
    Lever("bf16 + channels_last, batch 256", 256, CL),
    Lever("bf16 + channels_last + compile, batch 128", 128, COMPILE),
    Lever("bf16 + channels_last + compile, batch 32", 32, COMPILE),
    Lever("... + CUDA graphs (compile reduce-overhead), batch 128", 128, {**COMPILE, "train.compile_mode": "reduce-overhead"}),
]


def config_for(lever: Lever, size: int, width: int, device: str):
    """The recipe at `size` with the lever's keys and its batch (the recipe's learning rates, 2.5e-3)."""
    return recipe(size, width, device, **{"train.batch_size": lever.batch, **lever.keys})


def measure(lever: Lever, size: int, width: int, steps: int, device: str) -> dict:
    """Build, take the first step alone, warm up to step 17, time `steps` iterations."""
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    torch._dynamo.reset()  # each compiled row compiles from scratch: its warm-up is its own
    game = build_game(config_for(lever, size, width, device), _data(size, n=max(512, 8 * lever.batch)), torch.device(device))
    trainer = Trainer(game.state, game.schedule(), log_every=lever.log_every)
    t = time.perf_counter()
    first = {k: float(v) for k, v in trainer.run_iteration(True).items() if k in COMPARED}
    trainer.fit(WARM)
    sync(device)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    trainer.fit(WARM + steps)
    sync(device)
    seconds = time.perf_counter() - t
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan")
    return {"img_s": lever.batch * steps / seconds, "warm": warm, "peak": peak, "first": first}


def agreement(first: dict, eager: dict | None) -> str:
    """The largest relative difference of the first step's numbers from the eager twin's, or '-'."""
    if not eager:
        return "-"
    worst = max(abs(first[k] - eager[k]) / max(abs(eager[k]), 1e-3) for k in eager if k in first)
    return f"{worst:.1e}"


def main() -> None:
    """Run the rows that fit before --end, print the table as it grows."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--width", type=int, default=128, help="128: StyleGAN2-ADA's channels; small only to try the script")
    ap.add_argument("--end", type=float, default=None, help="Unix time by which the last row must finish")
    ap.add_argument("--only", default=None, help="comma-separated row numbers (1-based), e.g. 1,2,8")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU (a check of the script, not GPU figures)"
    print(f"device: {name}; torch {torch.__version__}; {args.size} px, {args.steps} timed steps", flush=True)
    print("\n| # | configuration | batch | img/s | × row 1 | warm-up s | peak GiB | first step vs eager |\n"
          "|---|---|---|---|---|---|---|---|", flush=True)
    rows = [int(i) for i in args.only.split(",")] if args.only else range(1, len(LEVERS) + 1)
    base, eager_first = None, {}
    for i in rows:
        lever = LEVERS[i - 1]
        reserve = 150 if lever.compiled else 30
        if args.end is not None and time.time() + reserve > args.end:
            print(f"| {i} | {lever.name} | {lever.batch} | skipped: under {reserve} s left | | | | |", flush=True)
            continue
        try:
            r = measure(lever, args.size, args.width, args.steps, args.device)
        except Exception as e:  # one failed lever must not hide the others
            print(f"| {i} | {lever.name} | {lever.batch} | failed: {type(e).__name__}: {str(e)[:160]} | | | | |",
                  flush=True)
            continue
        finally:
            if args.device == "cuda":
                torch.cuda.empty_cache()
        base = base or r["img_s"]
        if not lever.compiled:
            eager_first.setdefault(lever.twin, r["first"])
        print(f"| {i} | {lever.name} | {lever.batch} | {r['img_s']:.1f} | {r['img_s'] / base:.2f} | {r['warm']:.1f} | "
              f"{r['peak']:.1f} | {agreement(r['first'], eager_first.get(lever.twin)) if lever.compiled else '-'} |",
              flush=True)


if __name__ == "__main__":
    main()
