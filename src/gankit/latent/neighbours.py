"""Nearest training neighbours of generated samples: see for yourself that a sample is not a copy."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.data.base import ArrayDataset
from gankit.errors import ConfigError
from gankit.metrics.base import pairwise_distances
from gankit.metrics.features import DOMAIN_NAMES, domain_classifier_for
from gankit.metrics.memorisation import nearest_neighbours
from gankit.run import Run


@dataclass
class Neighbours:
    """For each sample, its k nearest training images, their distances, and the scale to judge them by."""

    samples: torch.Tensor  # (n, C, H, W) model space
    train_index: torch.Tensor  # (n, k)
    distances: torch.Tensor  # (n, k)
    train_images: torch.Tensor  # (n, k, C, H, W) model space
    space: str  # 'features: <extractor>' or 'pixels'
    median_train_nn: float  # median NN distance among training images: what "close" means here


def training_neighbours(run: Run, samples: torch.Tensor, k: int = 5, space: str = "auto", max_train: int = 20_000,
                        seed: int = 0, data: ArrayDataset | None = None) -> Neighbours:
    """The k nearest training images of each sample, in the domain classifier's feature space or in pixels.

    `space`: 'auto' (features when the dataset has a shipped classifier, else pixels), 'features' or 'pixels'.
    Distances are compared with the median nearest-neighbour distance among training images, the
    distance at which a fresh sample from the data would sit (see gankit.metrics.memorisation).
    """

    if run.kind != "image":
        raise ConfigError("nearest training neighbours are drawn for image runs")
    if space not in ("auto", "features", "pixels"):
        raise ConfigError(f"space must be auto, features or pixels, got {space!r}")
    name = run.data_name
    use_features = space == "features" or (space == "auto" and name in DOMAIN_NAMES)
    data = data if data is not None else run.dataset()
    g = torch.Generator().manual_seed(seed)
    subset = torch.randperm(len(data.x), generator=g)[:max_train]
    train_u8 = data.x[subset]
    train = data.to_model_space(train_u8)
    if use_features:
        clf = domain_classifier_for(name, "the feature space", "use space=pixels")
        with torch.no_grad():
            embed = lambda x: torch.cat([clf.features(x[i : i + 2048]) for i in range(0, len(x), 2048)])
            f_train, f_samples = embed(train), embed(samples)
        label = f"features: {clf.name}"
    else:
        f_train, f_samples = train.flatten(1).float(), samples.flatten(1).float()
        label = "pixels"
    k = min(k, len(train))
    dist, idx = [], []
    for i in range(0, len(f_samples), 256):
        d = pairwise_distances(f_samples[i : i + 256], f_train)
        v, j = d.topk(k, dim=1, largest=False)
        dist.append(v)
        idx.append(j)
    dist, idx = torch.cat(dist), torch.cat(idx)
    ref = torch.randperm(len(f_train), generator=g)[:2000]
    delta, _ = nearest_neighbours(f_train[ref], f_train, query_index=ref)
    return Neighbours(samples, subset[idx], dist.float(), train[idx], label, float(delta.median()))
