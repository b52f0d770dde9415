"""Fixtures of the viewer's tests: tiny real runs, and `gankit view`'s app served on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served import Served

from gankit.cli.main import main

FAST = ["--set", "log.progress=false", "--set", "log.tensorboard=false"]
# a 2-D run that keeps a checkpoint every 100 steps: the GAN Lab slider has steps to move over
RING = ["train", "ring8-tiny", *FAST, "--set", "train.steps=400", "--set", "log.every=20",
        "--set", "log.checkpoint_every=100", "--set", "log.keep_checkpoints=10", "--set", "log.sample_every=200"]
DCGAN = ["train", "digits-dcgan-tiny", *FAST, "--set", "train.steps=20", "--set", "log.every=10",
         "--set", "log.sample_every=20", "--set", "log.checkpoint_every=20"]
CDCGAN = ["train", "digits-cdcgan-tiny", *FAST, "--set", "train.steps=60", "--set", "log.every=10",
          "--set", "log.sample_every=30", "--set", "log.checkpoint_every=30"]


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
