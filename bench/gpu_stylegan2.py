"""StyleGAN2 training speed on one GPU at 64 and 128 px (the device check of issue 6; under 8 minutes).

    python -m bench.gpu_stylegan2 [--steps 60] [--batch 32] [--width 128]

Synthetic RGB images in memory (throughput does not depend on their content); the folder-stylegan2
recipe (lazy R1 every 16, path length every 4, style mixing 0.9, ADA off) with width 128, i.e.
StyleGAN2-ADA's channel counts at these sizes. For each size and precision: warm-up, then img/s
over `--steps` iterations (real images through D). stylegan2-ada's published V100 figure at 128 px
is 73-78 img/s (its README, 1 GPU, their config).
"""

from __future__ import annotations

import argparse
import time

import torch

from gankit.api import as_config
from gankit.build import build_game
from gankit.data.base import ArrayDataset
from gankit.training.loop import Trainer


def _data(size: int, n: int = 2048) -> ArrayDataset:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
    return ArrayDataset(x=x, y=torch.zeros(n, dtype=torch.long), class_names=["x"], kind="image", name="synthetic")


def recipe(size: int, width: int, device: str, **keys):
    """The GPU benchmarks' StyleGAN2 game: folder-stylegan2 at `size` and `width` (128: StyleGAN2-ADA's
    channels), mapping depth 8, z 512, ADA off, with further config `keys` (dotted names)."""
    return as_config("folder-stylegan2", {
        "device": device, "data.size": size, "model.g_width": width, "model.d_width": width, "model.g_depth": 8,
        "model.z_dim": 512, "augment.kind": "none", "log.progress": False, **keys})


def sync(device: str) -> None:
    """Wait for the device (nothing on a CPU)."""
    if device == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--sizes", default="64,128")
    ap.add_argument("--precisions", default="fp32,fp16,bf16")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this benchmark measures one GPU")
    print(f"device: {torch.cuda.get_device_name(0)}; torch {torch.__version__}")
    print("| size | precision | img/s |\n|---|---|---|")
    for size in map(int, args.sizes.split(",")):
        for precision in args.precisions.split(","):
            cfg = recipe(size, args.width, "cuda", **{"train.batch_size": args.batch, "train.precision": precision})
            phases = build_game(cfg, _data(size), torch.device("cuda"))
            state = phases.state
            trainer = Trainer(state, phases.schedule(), log_every=10**9)
            trainer.fit(16)  # warm-up, covers both lazy phases
            sync("cuda")
            t = time.perf_counter()
            trainer.fit(16 + args.steps)
            sync("cuda")
            print(f"| {size} | {precision} | {args.batch * args.steps / (time.perf_counter() - t):.1f} |", flush=True)
            del trainer, state, phases
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
