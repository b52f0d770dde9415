"""Memorisation: how close each generated sample lies to its nearest training sample.

For generated samples G (features, or pixels flattened) and training samples T:
- d_j = min_i ‖G_j − T_i‖, the nearest-neighbour (NN) distance of each generated sample;
- δ_i = min_{i'≠i} ‖T_i − T_i'‖, the NN distance of a training sample to the *rest* of the training
  set, for up to `max_reference` training samples drawn with the seed;
- near-copy rule: G_j is a near-copy when d_j < τ = α · median_i δ_i, with α = 0.5 by default.

Why this rule: a fresh sample from the data distribution is, to the N training samples, what a training
sample is to the other N−1, so d_j follows (nearly) the law of δ_i. The threshold is therefore scale-free
(it works in pixels or in any feature space) and its false-positive rate is measurable: the share of
training samples with δ_i < τ is reported as `train_baseline_fraction`, the rate an ideal, non-memorising
generator would show. For a locally uniform density in d dimensions that rate is about ln 2 / 2^d
(NN-distance law P(δ > r) = exp(−c r^d)), i.e. ~16% in 2-D but negligible beyond ~10 dimensions. A generator
copies when `value` (the near-copy fraction) clearly exceeds the baseline. Duplicates inside the training
set give δ_i = 0; the median keeps τ robust to them. Related tests of copying: the NN-based "data-copying"
test of Meehan, Chaudhuri & Dasgupta (2020) and the authenticity score of Alaa et al. (2022).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gankit.metrics.base import Metric, MetricError, MetricResult, block_rows, check_dims, pairwise_distances


def nearest_neighbours(query: torch.Tensor, reference: torch.Tensor,
                       query_index: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """NN distance (float64) and index in `reference` for each query row; rows with a `query_index`
    (their own position in `reference`) skip themselves."""
    dists, idxs = [], []
    rows = block_rows(len(reference))
    for i in range(0, len(query), rows):
        d = pairwise_distances(query[i:i + rows], reference)
        if query_index is not None:
            own = query_index[i:i + rows]
            d[torch.arange(len(own)), own] = float("inf")
        v, j = d.min(1)
        dists.append(v)
        idxs.append(j)
    return torch.cat(dists), torch.cat(idxs)


def memorisation(fake: torch.Tensor, train: torch.Tensor, alpha: float = 0.5, max_reference: int = 5000,
                 top: int = 10, seed: int = 0, provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Near-copy fraction of generated samples (N×D or images) w.r.t. training samples, with NN statistics."""
    m = Memorisation(alpha=alpha, max_reference=max_reference, top=top, seed=seed, provenance=provenance)
    m.update(real=train, fake=fake)
    return m.compute()


class Memorisation(Metric):
    """Share of generated samples that are near-copies of a training sample; lower is better.

    update(real=training samples, fake=generated samples); images are flattened to pixels.
    extras: threshold τ, alpha, median_train_nn, train_baseline_fraction, mean_nn_distance,
    median_nn_distance, n_near_copies, near_copy_indices, closest (the `top` smallest d_j with the index of
    their training neighbour).
    """

    name = "memorisation"
    min_real = 2
    min_fake = 1
    min_reason = "the threshold needs each training sample's distance to another training sample"
    flatten_inputs = True

    def __init__(self, alpha: float = 0.5, max_reference: int = 5000, top: int = 10, seed: int = 0,
                 provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__(provenance)
        if alpha <= 0:
            raise MetricError(f"memorisation alpha must be > 0, got {alpha}")
        self.alpha, self.max_reference, self.top, self.seed = alpha, max_reference, top, seed

    def _score(self, real: torch.Tensor, fake: torch.Tensor) -> MetricResult:
        check_dims(real, fake, self.name)
        gen = torch.Generator().manual_seed(self.seed)
        ref = torch.randperm(len(real), generator=gen)[:self.max_reference]
        delta, _ = nearest_neighbours(real[ref], real, query_index=ref)
        median_delta = float(delta.median())
        threshold = self.alpha * median_delta
        d, nn = nearest_neighbours(fake, real)
        flagged = torch.nonzero(d < threshold).flatten()
        order = torch.argsort(d)[:self.top]
        return MetricResult(
            name=self.name, value=float((d < threshold).double().mean()),
            extras={
                "threshold": threshold, "alpha": self.alpha, "median_train_nn": median_delta,
                "train_baseline_fraction": float((delta < threshold).double().mean()),
                "n_reference": len(ref),
                "mean_nn_distance": float(d.mean()), "median_nn_distance": float(d.median()),
                "n_near_copies": len(flagged), "near_copy_indices": flagged.tolist(),
                "closest": [{"fake_index": int(j), "train_index": int(nn[j]), "distance": float(d[j])}
                            for j in order],
            },
            provenance={"seed": self.seed},
        )
