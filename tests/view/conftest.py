"""Fixtures of the viewer's tests: tiny real runs, and `gankit view`'s app served on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served import CDCGAN, DCGAN, RING, Served

from gankit.cli.main import main


@pytest.fixture(scope="session")
def view_root(tmp_path_factory) -> Path:
    """A folder of runs: a finished ring8 run, and a class-conditional and an unconditional digits run."""
    root = tmp_path_factory.mktemp("runs")
    assert main([*RING, "--out", str(root / "ring8")]) == 0
    assert main([*CDCGAN, "--out", str(root / "digits")]) == 0
    assert main([*DCGAN, "--out", str(root / "plain")]) == 0
    return root


@pytest.fixture
def serve() -> Iterator:
    """serve(root) starts the app on a free port; every server started is stopped after the test."""
    started: list[Served] = []

    def start(root: Path, detectors: list[Path] | None = None) -> Served:
        started.append(Served(root, detectors).__enter__())
        return started[-1]

    yield start
    for s in started:
        s.__exit__()
