"""`gankit train` and `gankit demo`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gankit.api import train
from gankit.config.io import read_config, resolve_config
from gankit.data.fashion_mnist import find_fashion_mnist
from gankit.errors import ConfigError, DataError
from gankit.games.registry import game_spec
from gankit.training.distributed import close_distributed


def cmd_train(args: argparse.Namespace) -> int:
    """Train (or resume) and print where the run lives."""
    if args.resume is None and args.source is None:
        raise ConfigError("give a preset or config file, or --resume RUN (see `gankit presets`)")
    if args.data_path is not None:  # JSON quoting keeps the path a string whatever it looks like
        args.overrides = [*args.overrides, f"data.path={json.dumps(str(args.data_path))}"]
    if args.dry_run:
        if args.resume:

            base = args.source or read_config(Path(args.resume) / "config.json")
            cfg = resolve_config(base, args.overrides)
        else:
            cfg = resolve_config(args.source, args.overrides)
        game_spec(cfg.game)  # the one key the schema cannot check: games sit above the config
        print(json.dumps(cfg.to_dict(), indent=2))
        return 0
    try:
        run = train(args.source, out=args.out, overrides=args.overrides, resume=args.resume)
    finally:
        close_distributed()  # under torchrun: every rank leaves the group before the process ends
    print(f"run folder: {run.path}")
    for name in ("report.md", "report.html"):
        if (run.path / name).exists():
            print(f"report:     {run.path / name}")
    return 0


# The demo's recipe, measured in docs/benchmarks.md and described in the README's first screen
# (tests/integration/test_demo.py keeps the three in step): about 2.5 minutes on 2 CPU cores.
DEMO = ("fashion-dcgan", 3000)
DEMO_WITHOUT_FASHION = ("digits-dcgan", 3000)


def cmd_demo(args: argparse.Namespace) -> int:
    """Fashion-MNIST when it is installed, else scikit-learn's digits; then the report."""
    try:
        find_fashion_mnist()
        preset, steps = DEMO
    except DataError as e:
        print(f"{e}\n-> the demo uses scikit-learn's bundled digits instead.", file=sys.stderr)
        preset, steps = DEMO_WITHOUT_FASHION
    steps = args.steps or steps
    print(f"demo: training {preset} for {steps} steps into {args.out} ...")
    run = train(preset, out=args.out, overrides={"train.steps": steps})
    print(f"run folder: {run.path}\nreport:     {run.path / 'report.md'}\nsamples:    {run.path / 'samples/final.png'}")
    print(f"view:       gankit view {run.path}   (the game and the generator in your browser)")
    return 0
