"""`gankit` subcommands: parse, then load the one command's module and call it.

`main(argv)` returns an exit code and can be called in-process. The parser (cli/parser.py) imports
nothing heavier than argparse, and each command's module is imported by name only when that command
runs: `gankit --help` never imports torch, and `gankit sample` does not import the evaluation,
the latent tools or the applications.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from collections.abc import Callable, Iterator

from gankit.cli.boundary import guarded
from gankit.cli.parser import build_parser

# command -> "module:function" under gankit.cli
COMMANDS = {
    "train": "training:cmd_train", "demo": "training:cmd_demo", "presets": "presets:cmd_presets",
    "sample": "sample:cmd_sample", "eval": "evaluate:cmd_eval",
    "interpolate": "latent_space:cmd_interpolate", "arithmetic": "latent_space:cmd_arithmetic",
    "project": "latent_space:cmd_project", "neighbours": "latent_space:cmd_neighbours",
    "mix": "latent_space:cmd_mix", "ppl": "latent_space:cmd_ppl",
    "translate": "apps:cmd_translate", "fetch": "apps:cmd_fetch", "music": "apps:cmd_music",
    "text2img": "apps:cmd_text2img", "detect": "detect:cmd_detect", "provenance": "detect:cmd_provenance",
    "view": "view:cmd_view",
}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, then freeze every object alive at the end (`gc.freeze`).

    For the imports of a process that runs one command: importing torch creates hundreds of thousands of
    long-lived objects, and each full collection walks all of them again. Paused, then frozen out of every
    later collection, they cost `gankit sample` about a third of a second less (`python -m bench.startup`).
    Frozen objects are never collected, so a caller's own heap must not be frozen: see `main`'s `own_process`.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def command(name: str, own_process: bool = False) -> Callable:
    """The function that runs a subcommand, its module imported now (with the collector paused in `own_process`)."""
    module, function = COMMANDS[name].split(":")
    with collector_paused() if own_process else contextlib.nullcontext():
        loaded = importlib.import_module(f"gankit.cli.{module}")
    return getattr(loaded, function)


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 a failure at run time, 2 bad input, 130 interrupted, 141 a closed pipe).

    own_process: this process exists to run this one command (the console script), so the command's
    imports may pause and freeze the garbage collector; a program that calls `main` leaves it False.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a bad argument already explained in two lines
        return int(e.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    return guarded(args.command, lambda: command(args.command, own_process)(args))


def entry_point() -> None:
    """Console-script entry (`gankit`, `python -m gankit`): run in a process of its own, exit with main()'s code."""
    sys.exit(main(own_process=True))
