"""`gankit` subcommands: parse, then load the one command's module and call it.

`main(argv)` returns an exit code and can be called in-process. The parser (cli/parser.py) imports
nothing heavier than argparse, and each command's module is imported by name only when that command
runs: `gankit --help` never imports torch, and `gankit sample` does not import the evaluation,
the latent tools or the applications.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, then freeze what was made: for imports, which make little garbage.

    Importing torch creates hundreds of thousands of long-lived objects, and a full collection walks all
    of them; paused, then frozen out of every later collection, `gankit sample` starts about 0.4 s sooner
    (`python -m bench.startup`). The collector's own setting is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def command(name: str) -> Callable:
    """The function that runs a subcommand, its module imported now.

    Its first import runs with the collector paused. A later call (a process that calls `main` again)
    finds it imported and leaves the collector alone: freezing then would keep the caller's garbage forever.
    """
    module, function = COMMANDS[name].split(":")
    path = f"gankit.cli.{module}"
    if path in sys.modules:
        return getattr(sys.modules[path], function)
    with collector_paused():
        loaded = importlib.import_module(path)
    return getattr(loaded, function)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 a failure at run time, 2 bad input, 130 interrupted, 141 a closed pipe)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a bad argument already explained in two lines
        return int(e.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    return guarded(args.command, lambda: command(args.command)(args))


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
