"""The GPU profile of issue 23 is prepared for a session with a GPU: here it runs on the CPU, at a tiny size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_stylegan2_profile_runs_and_names_every_phase():
    out = subprocess.run([sys.executable, "-m", "bench.profile_stylegan2", "--device", "cpu", "--sizes", "32",
                          "--steps", "4", "--batch", "4", "--width", "32", "--precision", "fp32"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=300).stdout
    assert "## 32 px" in out and "host-device synchronisations per step" in out
    for phase in ("| D |", "| G |", "| Dreg |", "| Greg |"):  # R1 and path length: the lazy phases ran
        assert phase in out, phase
    assert "| aten::" in out
