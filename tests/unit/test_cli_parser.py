"""The command line's parser: light to import, its choices the library's, every command reachable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gankit.cli import main as cli_main
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
import contextlib, gc, importlib, io, sys
from gankit.cli import main as cli
seen = []
real_import = importlib.import_module
cli.importlib.import_module = lambda name: (seen.append(gc.isenabled()), real_import(name))[1]
{setup}
frozen = gc.get_freeze_count()
with contextlib.redirect_stdout(io.StringIO()):
    code = cli.main(["presets"], own_process={own_process})
print(code, seen, gc.isenabled(), gc.get_freeze_count() > frozen)
"""


@pytest.mark.parametrize("setup, own_process, expected", [
    ("", True, "0 [False] True True"),  # the console script: paused while importing, frozen after, restored
    ("gc.disable()", True, "0 [False] False True"),  # a collector switched off stays off
    ("", False, "0 [True] True False"),  # a program calling main(): its collector and heap are left alone
])
def test_the_collector_is_paused_and_frozen_only_in_a_process_of_its_own(setup, own_process, expected):
    code = COLLECTOR_PROBE.format(setup=setup, own_process=own_process)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == expected


def test_the_console_script_runs_in_a_process_of_its_own(monkeypatch):
    calls = []
    monkeypatch.setattr(cli_main, "main", lambda argv=None, own_process=False: calls.append(own_process) or 0)
    with pytest.raises(SystemExit):
        cli_main.entry_point()
    assert calls == [True]
