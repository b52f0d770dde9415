"""Training the CNN detector: CNNDetection's recipe (blur and JPEG at probability 0.5, flips, Adam, BCE)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from gankit.augment.degrade import cnndetection_augment
from gankit.models.detector import DetectorCNN


def to_model(images: np.ndarray) -> torch.Tensor:
    """uint8 N×H×W×C -> float N×C×H×W in [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1)


@torch.no_grad()
def cnn_raw(model: DetectorCNN, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """The logits (N,) of uint8 N×H×W×C images, in eval mode."""
    model.eval()
    parts = [model(to_model(images[i : i + batch_size])).numpy() for i in range(0, len(images), batch_size)]
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)


def fit_cnn(images: np.ndarray, labels: np.ndarray, epochs: int = 6, batch_size: int = 64, lr: float = 1e-3,
            width: int = 32, seed: int = 0, augment: bool = True, progress: bool = True) -> DetectorCNN:
    """Train a DetectorCNN on uint8 images N×H×W×C and labels (N,; 1 = generated); cosine-decayed Adam.

    CNNDetection trains with Adam on BCE, random flips, and blur (σ ~ U[0, 3]) and JPEG (quality ~ U{30..100})
    each at probability 0.5, which is what lets it survive the post-processing of images in the wild.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = DetectorCNN(images.shape[-1], width)
    steps = epochs * math.ceil(len(images) / batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    target = torch.from_numpy(labels.astype(np.float32))
    bar = tqdm(total=steps, desc="CNN detector", disable=not progress, unit="step")
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for i in range(0, len(images), batch_size):
            idx = order[i : i + batch_size]
            batch = cnndetection_augment(images[idx], rng) if augment else images[idx]
            x = to_model(batch)
            flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
            x[flip] = x[flip].flip(-1)
            loss = F.binary_cross_entropy_with_logits(model(x), target[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    bar.close()
    return model.eval()
