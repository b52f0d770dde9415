"""Did a translation work? Scores of image-to-image translation (CycleGAN, pix2pix), as pure functions.

- translation accuracy: the share of translated images that a classifier of the two domains assigns
  to the target domain (the "FCN score" idea of Isola et al. 2017, section 4.2, with a domain
  classifier), with a Wilson 95% interval;
- cycle error: mean |F(G(a)) − a| per pixel in gankit's [-1, 1] space (the L1 of Zhu et al. 2017, eq. 2);
- content preservation: the mean structural similarity (SSIM, Wang et al. 2004, scikit-image's
  implementation) between each input and its own translation, against the SSIM between each input
  and a random image of the target domain. A translation that keeps the input's layout (pose,
  outline, where the light is) scores clearly above the baseline; one that draws an arbitrary
  target image scores near it. The same comparison in a classifier's features rides along in extras.
- paired L1: mean |G(x) − y| per pixel against the ground truth (pix2pix).
FID of translated images against the target domain's images uses gankit.metrics.fid unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from skimage.metrics import structural_similarity

from gankit.metrics.base import MetricError, MetricResult, wilson_interval


def translation_accuracy(judged: torch.Tensor, target: int, provenance: Mapping[str, Any] | None = None,
                         name: str = "accuracy") -> MetricResult:
    """Share of translated images judged to be of the target domain: judged (N,) class indices, target an index."""
    judged = judged.long().flatten()
    if len(judged) == 0:
        raise MetricError("translation accuracy needs at least one translated image")
    hits = int((judged == target).sum())
    return MetricResult(name, hits / len(judged), ci=wilson_interval(hits, len(judged)), n_fake=len(judged),
                        provenance=dict(provenance or {}))


def mean_l1(x: torch.Tensor, y: torch.Tensor, name: str, provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Mean absolute difference per pixel of two image batches N×C×H×W (model space), with a 95% interval over images."""
    if x.shape != y.shape:
        raise MetricError(f"{name}: the two batches have shapes {tuple(x.shape)} and {tuple(y.shape)}")
    per_image = (x.float() - y.float()).abs().flatten(1).mean(1).double()
    return MetricResult(name, float(per_image.mean()), ci=_mean_ci(per_image), std=float(per_image.std()),
                        n_fake=len(per_image), provenance=dict(provenance or {}))


def ssim_per_image(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """SSIM of each pair of model-space images (N,) from two N×C×H×W batches in [-1, 1] (7×7 windows, data range 2)."""
    if x.shape != y.shape:
        raise MetricError(f"SSIM: the two batches have shapes {tuple(x.shape)} and {tuple(y.shape)}")
    if min(x.shape[-2:]) < 7:
        raise MetricError(f"SSIM needs images of at least 7×7 pixels (its window), got {tuple(x.shape[-2:])}")
    xs, ys = x.float().clamp(-1, 1).cpu().numpy(), y.float().clamp(-1, 1).cpu().numpy()
    return torch.tensor([structural_similarity(a, b, data_range=2.0, channel_axis=0) for a, b in zip(xs, ys)],
                        dtype=torch.float64)


def random_partners(n: int, m: int, seed: int) -> torch.Tensor:
    """For each of n inputs, the index of a random one of m target images (a seeded draw)."""
    return torch.randint(m, (n,), generator=torch.Generator().manual_seed(seed))


def content_preservation(x: torch.Tensor, translated: torch.Tensor, targets: torch.Tensor, seed: int = 0,
                         features: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
                         provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Mean SSIM(x, T(x)) over inputs; extras: the baseline SSIM(x, t) for a random target image t, and their ratio.

    x, translated: N×C×H×W inputs and their translations (row i is input i's); targets: M×C×H×W real
    images of the target domain, from which each input gets one at random. `features` = (φ(x), φ(T(x)),
    φ(targets)) adds the mean feature distances ‖φ(x) − φ(T(x))‖ and ‖φ(x) − φ(t)‖ to the extras.
    """
    if x.shape != translated.shape:
        raise MetricError(f"content preservation: {len(x)} inputs but {len(translated)} translations")
    pick = random_partners(len(x), len(targets), seed)
    own, baseline = ssim_per_image(x, translated), ssim_per_image(x, targets[pick])
    extras: dict[str, Any] = {"baseline": float(baseline.mean()), "baseline_ci": list(_mean_ci(baseline)),
                              "ratio": float(own.mean() / baseline.mean())}
    if features is not None:
        f_x, f_out, f_t = (f.double() for f in features)
        extras["feature_distance"] = float((f_x - f_out).norm(dim=1).mean())
        extras["feature_baseline"] = float((f_x - f_t[pick]).norm(dim=1).mean())
    return MetricResult("content", float(own.mean()), ci=_mean_ci(own), n_real=len(targets), n_fake=len(own),
                        extras=extras, provenance=dict(provenance or {}))


def _mean_ci(values: torch.Tensor) -> tuple[float, float]:
    """Normal-approximation 95% interval of a mean."""
    m = float(values.mean())
    half = 1.96 * float(values.std()) / max(1.0, len(values) ** 0.5) if len(values) > 1 else 0.0
    return m - half, m + half
