"""`gankit sample`: draw from a run folder (only what sampling needs is imported)."""

from __future__ import annotations

import argparse

from gankit.run import Run, load_run
from gankit.utils.memory import keep_freed_memory


def open_run(args: argparse.Namespace) -> Run:
    """The run folder a command names, at its --checkpoint and --data-path."""
    return load_run(args.run, device=getattr(args, "device", "cpu"), checkpoint=getattr(args, "checkpoint", "latest"),
                    data_path=args.data_path, ema=getattr(args, "ema", True),
                    precision=getattr(args, "precision", "fp32"))


def cmd_sample(args: argparse.Namespace) -> int:
    """Write samples from a run folder."""
    keep_freed_memory()  # G's passes reuse their buffers instead of faulting fresh pages in (docs/benchmarks.md)
    run = open_run(args)
    out = run.save_samples(args.out, n=args.n, seed=args.seed, classes=args.cls, truncation=args.truncation,
                           reject=args.reject, mixture=args.mixture, jacobian_reject=args.jacobian_reject,
                           watermark=args.watermark)
    what = f" of class {run.class_names[run.class_index(args.cls)]!r}" if args.cls is not None else ""
    print(f"wrote {args.n} samples{what} to {out}")
    return 0
