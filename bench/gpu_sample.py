"""Sampling on one GPU: images per second at batches that fill the device, fp32 against bf16 (issue 23).

    python -m bench.gpu_sample [--run RUN] [--batches 256,1024,4096]

Two generators: StyleGAN2 at 128 px (folder-stylegan2 at width 128, freshly built: speed does not
depend on the weights) and fashion-dcgan (the trained run given by --run, else freshly built). For
each batch and precision it times `Run.generate`'s work: G in eval mode under no_grad, and G plus the
copy of the images to the host that `gankit sample` makes. bf16's images are compared with fp32's on
the same noise, in 8-bit levels (mean and largest |Δ|): meaningful for a trained G only.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from bench.gpu_stylegan2 import recipe, sync
from gankit.api import as_config, load_run
from gankit.games.adversarial.build import build_networks
from gankit.training.numerics import autocast


def fresh_generator(cfg, shape: tuple[int, ...], device: str) -> tuple[torch.nn.Module, int]:
    """A config's generator, newly built and in eval mode, with its z size."""
    return build_networks(cfg, shape, 10)["G"].to(device).eval(), cfg.model.z_dim


def timed(work: Callable[[], torch.Tensor], device: str, seconds: float = 1.0) -> float:
    """Calls per second of `work` after two warm-up calls, over at least `seconds`."""
    for _ in range(2):
        work()
    sync(device)
    n, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds or n < 3:
        work()
        n += 1
    sync(device)
    return n / (time.perf_counter() - t)


def levels(a: torch.Tensor, b: torch.Tensor) -> tuple[float, float]:
    """Mean and largest |a − b| of two image batches in [-1, 1], in 8-bit levels."""
    d = (a.float() - b.float()).abs() * 127.5
    return float(d.mean()), float(d.max())


def rows(name: str, G: torch.nn.Module, z_dim: int, batches: list[int], device: str) -> None:
    """Print one table row per batch and precision."""
    for batch in batches:
        z = torch.randn(batch, z_dim, device=device, generator=torch.Generator(device).manual_seed(0))
        out = {}
        for precision in ("fp32", "bf16"):
            def forward(z=z, precision=precision) -> torch.Tensor:
                with torch.no_grad(), autocast(precision, torch.device(device)):
                    return G(z).float()
            try:
                gen = timed(forward, device) * batch
                to_host = timed(lambda forward=forward: forward().cpu(), device) * batch
            except torch.OutOfMemoryError:
                print(f"| {name} | {batch} | {precision} | out of memory | | |", flush=True)
                continue
            out[precision] = forward()
            diff = "-" if precision == "fp32" else "{:.2f} / {:.0f}".format(*levels(out["fp32"], out[precision]))
            print(f"| {name} | {batch} | {precision} | {gen:.0f} | {to_host:.0f} | {diff} |", flush=True)
        del out
        torch.cuda.empty_cache() if device == "cuda" else None


def main() -> None:
    """Time both generators."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default=None, help="a trained fashion-dcgan run (its EMA generator)")
    ap.add_argument("--batches", default="256,1024,4096")
    ap.add_argument("--size", type=int, default=128, help="StyleGAN2's resolution")
    ap.add_argument("--width", type=int, default=128, help="StyleGAN2's width (small only to try the script)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU (a check of the script)"
    print(f"device: {name}; torch {torch.__version__}", flush=True)
    print("\n| generator | batch | precision | img/s | img/s to host | bf16 vs fp32, levels (mean / max) |\n"
          "|---|---|---|---|---|---|", flush=True)
    if args.run:
        run = load_run(args.run, device=args.device)
        dcgan, z_dim = run.generator(), run.z_dim
    else:
        dcgan, z_dim = fresh_generator(as_config("fashion-dcgan", {"device": args.device}), (1, 28, 28), args.device)
    rows("fashion-dcgan" + (" (trained)" if args.run else " (untrained)"), dcgan, z_dim, batches, args.device)
    style, z_dim = fresh_generator(recipe(args.size, args.width, args.device), (3, args.size, args.size), args.device)
    rows(f"StyleGAN2 {args.size} px (untrained)", style, z_dim, batches, args.device)


if __name__ == "__main__":
    main()
