"""EMA windows compared on one training trajectory: the raw G against moving averages of it, paired.

    python scripts/ema_windows.py [--preset fashion-dcgan] [--steps 3000] [--seed 0] [--n 10000] [--out DIR]
                                  [--set KEY=VALUE ...]

Trains the preset once (by default the demo's recipe: fashion-dcgan, 3000 steps) while keeping
several moving averages of the same G beside the run's own. An average never changes training, so
every row scores the same raw trajectory and the differences are the averaging's alone. Each
average gets its BatchNorm statistics measured for its own weights, as the run's does. Prints FID
and C2ST (gankit's evaluation, n samples against the test split), one row per generator; the raw G
with re-measured BatchNorm statistics separates the averaging from the statistics.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
from pathlib import Path

import torch
import yaml

import gankit
from gankit.evaluation import evaluate, setup_for
from gankit.training.callbacks import Callback
from gankit.training.ema import EMA, recalibrate_batchnorm
from gankit.training.state import TrainState

WINDOWS = {  # name: (decay, ramp-up); the first is the presets' default
    "EMA 0.999, ramp-up 0.05 (default)": (0.999, 0.05),
    "EMA 0.999, ramp-up 0.02": (0.999, 0.02),
    "EMA 0.999, ramp-up 0.01": (0.999, 0.01),
    "EMA 0.99, ramp-up 0.05": (0.99, 0.05),
}


class Averages(Callback):
    """Moving averages {name: (decay, ramp-up)} of the game's G, updated after every iteration as its own."""

    def __init__(self, windows: dict[str, tuple[float, float]] = WINDOWS) -> None:
        self.windows = windows
        self.G: torch.nn.Module | None = None
        self.emas: dict[str, EMA] = {}

    def on_bind(self, state: TrainState) -> None:
        """Start every average from the generator of the game."""
        self.G = state.players["G"].net
        self.emas = {name: EMA(self.G, decay, 0, rampup) for name, (decay, rampup) in self.windows.items()}

    def on_step(self, step: int) -> None:
        """Blend G into every average."""
        for ema in self.emas.values():
            ema.update(self.G, step)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion-dcgan")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="a config override, as gankit train's")
    args = ap.parse_args()
    extra = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.overrides)}  # YAML-typed, as --set
    out = args.out or Path(tempfile.mkdtemp(prefix="ema-windows-")) / "run"
    shutil.rmtree(out, ignore_errors=True)
    averages = Averages()
    gankit.train(args.preset, out=out, callbacks=[averages], overrides={
        "train.steps": args.steps, "seed": args.seed, "log.progress": False, "log.report": "none", **extra})
    raw = gankit.load_run(out, ema=False)
    setup = setup_for(raw, None)
    recalibrated = copy.deepcopy(raw.generator())
    recalibrate_batchnorm(recalibrated)
    rows = {"raw G": None, "raw G, BatchNorm statistics re-measured": recalibrated}
    rows |= {name: ema.ready() for name, ema in averages.emas.items()}
    print(f"{args.preset}, seed {args.seed}, {args.steps} steps {extra or ''}; {args.n} samples")
    print("\n| generator | FID | C2ST |\n|---|---|---|")
    for name, G in rows.items():
        run = gankit.load_run(out, ema=False)
        if G is not None:
            run.generator = lambda G=G: G  # score this average through the run's own sampling and evaluation
        card = evaluate(run, n=args.n, metrics="fid,c2st", setup=setup, seed=0)["metrics"]
        print(f"| {name} | {card['fid']['value']:.2f} | {card['c2st']['value']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
