"""`train.precision=auto`: bf16 where this device computes it faster than fp32, else fp32.

CPUs differ by an order of magnitude here. One without bf16 instructions (AMD Zen 3, AVX2) ran a DCGAN step
14.5× slower under bf16 autocast than in fp32; one with AVX512-BF16 but no AMX (an Intel Xeon) 1.1-1.35×
slower; an AMD EPYC with bf16 instructions 2.2× faster (docs/benchmarks.md). No CPU flag separates the last
two, so the choice is measured: a small convolutional forward and backward, timed in both precisions.
"""

from __future__ import annotations

import functools
import time

import torch
from torch import nn

MIN_SPEEDUP = 1.1  # bf16 must win by this much: its rounding is a cost too
_REPEATS = 2


def choose_precision(device: torch.device) -> str:
    """What `auto` means on this device: bf16 on CUDA GPUs that support it; on CPUs, bf16 if it measures faster."""
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    if device.type == "cpu":
        return "bf16" if cpu_bf16_speedup() >= MIN_SPEEDUP else "fp32"
    return "fp32"


@functools.cache
def cpu_bf16_speedup() -> float:
    """fp32 time / bf16-autocast time of a small GAN-like convolutional step on this CPU (measured once per process)."""
    fork = torch.random.get_rng_state()  # the measurement must not move the run's random streams
    try:
        torch.manual_seed(0)
        net = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                            nn.Conv2d(64, 64, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 1, 4, 2, 1))
        x = torch.randn(16, 128, 8, 8)
        fp32 = _best_time(net, x, bf16=False)
        return fp32 / _best_time(net, x, bf16=True, give_up=2 * fp32)
    finally:
        torch.random.set_rng_state(fork)


def _best_time(net: nn.Module, x: torch.Tensor, bf16: bool, give_up: float = float("inf")) -> float:
    """The fastest of a few timed forward + backward passes after an untimed one; one slower than give_up ends it."""
    times = []
    for _ in range(_REPEATS + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = net(x).float().sum()
        out.backward()
        times.append(time.perf_counter() - t)
        if len(times) > 1 and times[-1] > give_up:  # a CPU without bf16 instructions: the answer is clear
            break
    return min(times[1:])


SAMPLING_PRECISIONS = ("fp32", "bf16", "auto")


def sampling_precision(asked: str, device: torch.device) -> str:
    """The precision a sampler runs in: `asked`, with 'auto' = bf16 on a CUDA GPU or a CPU with AMX.

    There bf16 draws faster with the same metrics (docs/benchmarks.md); a CPU without AMX ran the generator
    slower in bf16. No probe is run: sampling must start at once and draw the same images whatever n.
    """
    if asked not in SAMPLING_PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(SAMPLING_PRECISIONS)}, got {asked!r}")
    if asked != "auto":
        return asked
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if device.type == "cpu" and has_amx() else "fp32"


@functools.cache
def has_amx() -> bool:
    """Whether this CPU has AMX tiles (Intel's bf16 matrix units), by torch's own check (False where it has none)."""
    return bool(getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)())
