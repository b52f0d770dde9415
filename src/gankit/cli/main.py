"""`gankit` subcommands: parse -> build -> call. `main(argv)` returns an exit code and can be called in-process."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EPILOG = """examples:
  gankit presets
  gankit train ring8
  gankit train fashion-dcgan --set train.steps=2000 --set train.lr_d=1e-4 --out runs/fashion
  gankit train my_config.yaml --dry-run
  gankit train --resume runs/fashion --set train.steps=8000
  gankit sample runs/fashion --n 64 --out grid.png
  gankit sample runs/ring8 --n 2500 --out points.npy --seed 1
  gankit eval runs/fashion --n 10000 --metrics fid,kid,pr,dc,c2st
  gankit demo
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gankit",
        description="Train, watch and sample generative adversarial networks.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    t = sub.add_parser("train", help="train a preset or config file (or resume a run)", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("source", nargs="?", help="preset name (see `gankit presets`) or a .yaml/.json config file")
    t.add_argument("--out", help="run folder (default runs/<preset>); an existing run is never overwritten: -2, -3... is used")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set train.lr_g=2e-4 (repeatable)")
    t.add_argument("--resume", metavar="RUN", help="continue the run in this folder from its latest checkpoint")
    t.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")

    s = sub.add_parser("sample", help="draw samples from a trained run folder")
    s.add_argument("run", help="run folder written by `gankit train`")
    s.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    s.add_argument("--out", required=True, help="output: .png for a grid (scatter for 2-D), .npy for raw samples")
    s.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    s.add_argument("--checkpoint", choices=["latest", "best"], default="latest",
                   help="latest weights, or the best kept by eval.every (default latest)")

    e = sub.add_parser("eval", help="score a run's samples against held-out real data; writes a metric card")
    e.add_argument("run", help="run folder written by `gankit train`")
    e.add_argument("--n", type=int, default=10_000, help="generated samples (default 10000)")
    e.add_argument("--metrics", default=None,
                   help="comma list of fid,kid,pr,dc,is,c2st,memo,modes (default: all that apply but modes for images)")
    e.add_argument("--features", default=None,
                   help="extractor: fashion-mnist, digits (shipped classifiers), inception-v3, raw (default: the run's)")
    e.add_argument("--inception-weights", default=None, help="pytorch-fid weights file for --features inception-v3")
    e.add_argument("--seed", type=int, default=0, help="sample seed (default 0)")
    e.add_argument("--card", default=None, help="where to write the metric card (default RUN/metric_card.json)")
    e.add_argument("--checkpoint", choices=["latest", "best"], default="latest",
                   help="latest weights, or the best kept by eval.every (default latest)")

    sub.add_parser("presets", help="list the bundled presets")

    d = sub.add_parser("demo", help="a short training on a bundled dataset, then a report with grids and curves")
    d.add_argument("--out", default="runs/demo", help="run folder (default runs/demo)")
    d.add_argument("--steps", type=int, default=None, help="override the demo's number of steps")
    return p


def cmd_train(args: argparse.Namespace) -> int:
    """Train (or resume) and print where the run lives."""
    from gankit.api import as_config, train

    if args.resume is None and args.source is None:
        raise SystemExit("gankit train: give a preset or config file, or --resume RUN (see `gankit presets`)")
    if args.dry_run:
        if args.resume:
            from gankit.config.io import read_config

            base = args.source or read_config(Path(args.resume) / "config.json")
            cfg = as_config(base, args.overrides)
        else:
            cfg = as_config(args.source, args.overrides)
        print(json.dumps(cfg.to_dict(), indent=2))
        return 0
    run = train(args.source, out=args.out, overrides=args.overrides, resume=args.resume)
    print(f"run folder: {run.path}")
    for name in ("report.md", "report.html"):
        if (run.path / name).exists():
            print(f"report:     {run.path / name}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Write samples from a run folder."""
    from gankit.api import load_run
    from gankit.errors import ConfigError

    if args.n < 1:
        raise ConfigError(f"--n must be ≥ 1, got {args.n}")
    out = load_run(args.run, checkpoint=args.checkpoint).save_samples(args.out, n=args.n, seed=args.seed)
    print(f"wrote {args.n} samples to {out}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a run, print the table and write the card."""
    from gankit.api import load_run
    from gankit.evaluation import evaluate, format_card, write_card

    run = load_run(args.run, checkpoint=args.checkpoint)
    card = evaluate(run, n=args.n, metrics=args.metrics, features=args.features, seed=args.seed,
                    inception_weights=args.inception_weights)
    path = write_card(card, args.card or run.path / "metric_card.json")
    print(format_card(card))
    print(f"\nmetric card: {path}")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """Print each preset with its one-line description."""
    from gankit.config.io import preset_description, preset_names

    names = preset_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {preset_description(name)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Fashion-MNIST when it is installed, else scikit-learn's digits; then the report."""
    from gankit.api import train
    from gankit.data.fashion_mnist import find_fashion_mnist
    from gankit.errors import DataError

    try:
        find_fashion_mnist()
        preset, steps = "fashion-dcgan", 1500
    except DataError as e:
        print(f"{e}\n-> the demo uses scikit-learn's bundled digits instead.", file=sys.stderr)
        preset, steps = "digits-dcgan", 1500
    steps = args.steps or steps
    print(f"demo: training {preset} for {steps} steps into {args.out} ...")
    run = train(preset, out=args.out, overrides={"train.steps": steps})
    print(f"run folder: {run.path}\nreport:     {run.path / 'report.md'}")
    return 0


COMMANDS = {"train": cmd_train, "sample": cmd_sample, "eval": cmd_eval, "presets": cmd_presets, "demo": cmd_demo}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 diverged, 2 bad input, 130 interrupted)."""
    from gankit.errors import GankitError

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except GankitError as e:
        print(f"gankit {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
