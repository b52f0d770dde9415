"""How fast does gankit sample on the CPU, against what the generator's arithmetic allows?

    python -m bench.sample [--run RUN] [--repeats 5]          (make bench-sample; about 2 minutes)

For the fashion-dcgan generator (a run of that preset: --run, else two steps of it are trained into
bench/out/sample), it measures:
- the FLOPs of one image (torch.utils.flop_counter);
- this CPU's fp32 matrix-multiply peak (2048×2048 GEMMs on every core), and so the image rate the
  FLOPs allow;
- each transposed convolution of G on its real input, as trained and as a matrix product + col2im,
  timed in alternation (which layers the CPU form rewrites, and why the others stay);
- the steady-state rate of `Run.sample` at several batch sizes, with the eager layers ("before")
  and with gankit's CPU form of the generator ("after": models/inference.py), median of --repeats;
- bf16 (`Run(precision="bf16")`), on the same footing, and its distance from fp32 in 8-bit levels;
- both again once the process keeps freed memory for reuse, as `gankit sample` does (utils/memory.py);
- `gankit sample` end to end, in fp32 and bf16: 20 100 samples against 100, in fresh processes, so
  start-up cancels, with the page faults each image costs; in fp32 also with glibc's default allocator
  (utils/memory.py switched off).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from gankit.cli.main import main as gankit
from gankit.models.inference import ProductConvTranspose, rewritable
from gankit.run import Run
from gankit.training.precision import has_amx
from gankit.utils.memory import keep_freed_memory

OUT = Path("bench/out/sample")
N = 20_000


def fp32_peak(seconds: float = 3.0) -> float:
    """FLOP/s of fp32 2048×2048 matrix products on every core (the best of a few seconds)."""
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * 2048**3 / (time.perf_counter() - t))
    return best


def flops_per_image(run: Run) -> float:
    """FLOPs of G for one image (multiply-adds count 2)."""
    z = torch.randn(64, run.z_dim)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        run.generate(z)
    return counter.get_total_flops() / 64


def rate(run: Run, batch: int, repeats: int) -> float:
    """Median images per second of Run.sample(N) at a batch size."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run.sample(N, seed=0, batch_size=batch)
        times.append(time.perf_counter() - t)
    return N / float(np.median(times))


# `gankit sample` with glibc's default allocator: the CLI's own keep_freed_memory switched off
PLAIN_ALLOCATOR = ("import sys; from gankit.cli import sample; sample.keep_freed_memory = lambda: False; "
                   "from gankit.cli.main import main; sys.exit(main(sys.argv[1:]))")


def cli_rate(path: Path, precision: str = "fp32", keep_memory: bool = True) -> tuple[float, float]:
    """(images per second, page faults per image) of `gankit sample` from 100 to 20 100 samples, in fresh processes."""
    command = [sys.executable, "-m", "gankit"] if keep_memory else [sys.executable, "-c", PLAIN_ALLOCATOR]

    def cost(n: int) -> tuple[float, int]:
        faults, t = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt, time.perf_counter()
        subprocess.run([*command, "sample", str(path), "--n", str(n), "--precision", precision,
                        "--out", str(OUT.parent / "sample.npy")], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - faults
    small, large = (min(cost(n) for _ in range(3)) for n in (100, 100 + N))
    return N / (large[0] - small[0]), (large[1] - small[1]) / N


def eager(path: Path) -> Run:
    """The run with its generator as trained, without the CPU form: the 'before'."""
    with mock.patch("gankit.run.for_cpu_sampling", lambda net: net):
        run = Run(path)
        run.generator()  # loaded now, while the rewrite is switched off
    return run


def layer_times(run: Run, batch: int = 128, repeats: int = 30) -> list[tuple[str, float, float]]:
    """For each transposed convolution of G, on its real input at `batch`: median ms as trained and in the
    product form (models/inference.py), the two timed in alternation so the machine's drift hits both."""
    G = eager(run.path).generator()
    layers = [m for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    inputs: dict[int, torch.Tensor] = {}

    def keep_input(module: torch.nn.Module, args: tuple[torch.Tensor, ...], _: torch.Tensor) -> None:
        inputs[id(module)] = args[0]

    hooks = [m.register_forward_hook(keep_input) for m in layers]
    with torch.no_grad():
        G(*_args(run, batch))
    for h in hooks:
        h.remove()
    rows = []
    for layer in layers:
        x, product = inputs[id(layer)], ProductConvTranspose(layer)
        times: dict[str, list[float]] = {"layer": [], "product": []}
        with torch.no_grad():
            for f in (layer, product):
                f(x)
            for _ in range(repeats):
                for key, f in (("layer", layer), ("product", product)):
                    t = time.perf_counter()
                    f(x)
                    times[key].append(time.perf_counter() - t)
        shape = f"{layer.in_channels}→{layer.out_channels}, {x.shape[-2]}×{x.shape[-1]} in"
        rows.append((shape, 1e3 * float(np.median(times["layer"])), 1e3 * float(np.median(times["product"]))))
    return rows


def rewrites(run: Run) -> list[str]:
    """For each transposed convolution of G, whether the CPU form rewrites it."""
    return ["yes" if rewritable(m) else "no" for m in eager(run.path).generator().modules()
            if isinstance(m, torch.nn.ConvTranspose2d)]


def _args(run: Run, batch: int) -> tuple[torch.Tensor, ...]:
    z = torch.randn(batch, run.z_dim)
    return (z,) if not run.conditional else (z, torch.arange(batch) % len(run.class_names))


def fashion_dcgan_run(given: str | None) -> Path:
    """The run folder given, else two steps of fashion-dcgan trained into bench/out/sample (once)."""
    if given is not None:
        return Path(given)
    if not (OUT / "checkpoints").is_dir():
        assert gankit(["train", "fashion-dcgan", "--set", "train.steps=2", "--set", "log.progress=false",
                       "--set", "log.report=none", "--out", str(OUT)]) == 0
    return OUT


def main() -> None:
    """Measure and print a markdown table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--run", default=None, help="a fashion-dcgan run (default: trains two steps of one)")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    path = fashion_dcgan_run(args.run)
    run = Run(path)
    flops, peak = flops_per_image(run), fp32_peak()
    limit = peak / flops
    print(f"G: {flops / 1e6:.1f} MFLOP per image; fp32 GEMM peak {peak / 1e9:.0f} GFLOP/s on "
          f"{torch.get_num_threads()} threads: at most {limit:.0f} img/s")
    print("\n| transposed convolution (batch 128) | as trained, ms | product form, ms | rewritten on a CPU |\n|---|---|---|---|")
    for (shape, slow, fast), layer in zip(layer_times(run), rewrites(run)):
        print(f"| {shape} | {slow:.2f} | {fast:.2f} | {layer} |")
    print()
    print("| form | batch | img/s | of the limit |\n|---|---|---|---|")
    for name, r in (("eager (before)", eager(path)), ("CPU form (after)", run)):
        for batch in (128, 1024):
            v = rate(r, batch, args.repeats)
            print(f"| {name} | {batch} | {v:.0f} | {v / limit:.0%} |")
    v = rate(Run(path, precision="bf16"), 128, args.repeats)
    print(f"| CPU form, bf16 (`Run(precision='bf16')`) | 128 | {v:.0f} | {v / limit:.0%} |")
    if keep_freed_memory():  # from here on, this process reuses freed memory as the CLI does
        for precision in ("fp32", "bf16"):
            v = rate(Run(path, precision=precision), 128, args.repeats)
            print(f"| CPU form, {precision}, freed memory kept (`keep_freed_memory()`) | 128 | {v:.0f} | {v / limit:.0%} |")
    for precision, keep in (("fp32", False), ("fp32", True), ("bf16", True)):
        v, faults = cli_rate(path, precision, keep)
        allocator = "freed memory kept (the CLI's)" if keep else "glibc's default allocator"
        print(f"| `gankit sample --precision {precision}`, {allocator}, 20 100 vs 100 samples, {faults:.1f} page "
              f"faults per image | 128 | {v:.0f} | {v / limit:.0%} |")
    fp32, bf16 = (Run(path, precision=p).sample_array(2000, mixture=False, reject=0, jacobian_reject=0).astype(float)
                  for p in ("fp32", "bf16"))
    print(f"\nbf16 against fp32, 2 000 samples: {np.abs(bf16 - fp32).mean():.2f} of an 8-bit level on average, "
          f"at most {np.abs(bf16 - fp32).max():.0f}; AMX on this CPU: {has_amx()}")


if __name__ == "__main__":
    main()
