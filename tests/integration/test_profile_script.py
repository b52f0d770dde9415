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


def test_the_gpu_lever_table_and_the_sampling_table_run_on_a_cpu():
    # bench/gpu_session.sh runs these on a lent GPU; here each prints its table at a tiny size
    levers = subprocess.run([sys.executable, "-m", "bench.gpu_levers", "--device", "cpu", "--size", "32", "--width", "4",
                             "--steps", "16", "--only", "2,3"], cwd=ROOT, capture_output=True, text=True, check=True,
                            timeout=300).stdout
    rows = [line for line in levers.splitlines() if line.startswith(("| 2 |", "| 3 |"))]
    assert len(rows) == 2 and all("failed" not in r and "skipped" not in r for r in rows), levers
    sample = subprocess.run([sys.executable, "-m", "bench.gpu_sample", "--device", "cpu", "--batches", "16",
                             "--size", "32", "--width", "4"], cwd=ROOT, capture_output=True, text=True, check=True,
                            timeout=300).stdout
    assert sample.count("| 16 |") == 4, sample  # two generators × fp32 and bf16
