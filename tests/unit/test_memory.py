"""The CLI's allocator setting: a generator's passes reuse freed memory instead of faulting fresh pages in."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from gankit.cli import sample

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")

# page faults per pass of DCGAN's widest transposed convolution at the sampling batch, in a fresh process
FAULTS = """
import resource, sys, torch
from gankit.utils.memory import keep_freed_memory
print(keep_freed_memory() if sys.argv[1] == "keep" else None)
layer = torch.nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False).eval()
x = torch.randn(128, 128, 7, 7)
with torch.no_grad():
    for _ in range(3):
        torch.relu(layer(x))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        torch.relu(layer(x)) * 2
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def _faults(mode: str, **env: str) -> tuple[str, float]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}  # glibc as it comes
    out = subprocess.run([sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, check=True,
                         env={**clean, "OMP_NUM_THREADS": "1", **env}).stdout.split()
    return out[0], float(out[1])


def test_kept_memory_spares_the_page_faults():
    _, plain = _faults("plain")
    if plain < 1000:  # a kernel that backs these blocks with huge pages faults little: nothing to spare
        pytest.skip(f"{plain:.0f} page faults per pass without the setting")
    took, kept = _faults("keep")
    assert took == "True"
    assert kept < plain / 5, (kept, plain)  # plain: each pass maps ~10 MB afresh, a fault per 4 KiB page


def test_the_users_own_glibc_setting_is_left_alone():
    took, _ = _faults("keep", MALLOC_TRIM_THRESHOLD_="131072")
    assert took == "False"


def test_gankit_sample_keeps_freed_memory(monkeypatch):
    calls = []

    def stop(args):
        raise RuntimeError("stop")

    monkeypatch.setattr(sample, "keep_freed_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(sample, "open_run", stop)
    with pytest.raises(RuntimeError, match="stop"):
        sample.cmd_sample(None)
    assert calls == [1]
