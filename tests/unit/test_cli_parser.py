"""The command line's parser: light to import, its choices the library's, every command reachable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gankit.cli import parser
from gankit.cli.main import COMMANDS, build_parser, command
from gankit.composer import GENERATORS
from gankit.detect.calibration import METHODS as CALIBRATIONS
from gankit.detect.detector import METHODS
from gankit.training.precision import SAMPLING_PRECISIONS


def test_the_parsers_choices_are_the_librarys():
    assert parser.GENERATORS == tuple(GENERATORS)
    assert parser.DETECT_METHODS == tuple(METHODS) and parser.CALIBRATIONS == tuple(CALIBRATIONS)
    assert parser.SAMPLING_PRECISIONS == SAMPLING_PRECISIONS


def test_every_subcommand_has_a_command_and_every_command_loads():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name in COMMANDS:
        assert callable(command(name)), name


@pytest.mark.parametrize("argv", [["--help"], ["presets"], ["train", "--help"], ["view", "--help"]])
def test_help_and_presets_never_import_torch(argv):
    code = ("import sys, contextlib, io\nfrom gankit.cli.main import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    main({argv!r})\n"
            "print(sorted(m for m in ('torch', 'numpy', 'starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


COLLECTOR_PROBE = """
import gc, importlib, sys
from gankit.cli import main as cli
seen = []
real_import = importlib.import_module
cli.importlib.import_module = lambda name: (seen.append(gc.isenabled()), real_import(name))[1]
{setup}
frozen = gc.get_freeze_count()
cli.command("presets")
first = (seen[:], gc.isenabled(), gc.get_freeze_count() > frozen)
cli.command("presets")
print(first, len(seen), gc.isenabled())
"""


def test_a_commands_first_import_runs_with_the_collector_paused_then_restores_it():
    out = subprocess.run([sys.executable, "-c", COLLECTOR_PROBE.format(setup="")], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "([False], True, True) 1 True"  # paused while importing, frozen after; once only


def test_a_collector_the_caller_switched_off_stays_off():
    out = subprocess.run([sys.executable, "-c", COLLECTOR_PROBE.format(setup="gc.disable()")], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "([False], False, True) 1 False"
