"""Stacked Fashion-MNIST: three random items as the three channels of one image, 1000 modes.

The mode-counting benchmark of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018)
built from MNIST, here from Fashion-MNIST: channel k holds an independently drawn item, so the
label (c0, c1, c2) takes 10³ = 1000 values, all equally likely. The images are drawn once with
the seed, so a dataset is reproducible from (n, seed, split).
"""

from __future__ import annotations

import os

import torch

from gankit.data.base import ArrayDataset
from gankit.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist


def stack_items(x: torch.Tensor, y: torch.Tensor, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n images of 3 channels from single-channel items x (N×1×H×W), with labels 100·c0 + 10·c1 + c2."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, len(x), (n, 3), generator=g)
    images = x[idx.flatten(), 0].reshape(n, 3, *x.shape[2:])
    labels = y[idx]
    return images, labels[:, 0] * 100 + labels[:, 1] * 10 + labels[:, 2]


def mode_name(label: int) -> str:
    """'Sneaker|Bag|Trouser' for a stacked label."""
    return "|".join(CLASS_NAMES[int(d)] for d in (label // 100, label // 10 % 10, label % 10))


def load_stacked_fashion_mnist(
    path: str | os.PathLike | None = None, n: int | None = None, seed: int = 0, split: str = "train",
    size: int | None = None, download: bool = False,
) -> ArrayDataset:
    """Stacked Fashion-MNIST: uint8 N×3×H×W, 1000 classes (default n: as many images as the split)."""
    base = load_fashion_mnist(path, split=split, size=size, download=download)
    n = len(base) if n is None else n
    images, labels = stack_items(base.x, base.y, n, seed)
    return ArrayDataset(x=images, y=labels, class_names=[mode_name(i) for i in range(1000)], kind="image",
                        name="stacked-fashion-mnist", meta={"split": split, "stack_seed": seed, "n_modes": 1000})
