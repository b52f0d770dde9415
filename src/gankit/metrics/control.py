"""Control over what is generated: does a sample asked for class c look like class c?

- control accuracy: the share of samples asked for class c that a fixed classifier assigns to c
  (the "classification accuracy" of conditional GANs, e.g. Odena et al. 2017, section 4.1), with a
  Wilson 95% interval, per-class accuracies and the confusion matrix (rows: asked, columns: judged);
- intra-class FID (Miyato & Koyama 2018, section 5.1): the FID between generated and real samples
  of each class, averaged over classes. It penalises a generator that obeys the class but draws
  each class badly or without variety, which accuracy alone cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from gankit.metrics.base import MetricError, MetricResult, wilson_interval
from gankit.metrics.fid import feature_statistics, frechet_distance


def control_accuracy(judged: torch.Tensor, asked: torch.Tensor, class_names: Sequence[str],
                     provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Share of samples judged to be the class they were asked for; extras hold per-class rates and the confusion."""
    judged, asked = judged.long().flatten(), asked.long().flatten()
    if len(judged) != len(asked) or len(asked) == 0:
        raise MetricError(f"control accuracy needs one judged label per asked label, got {len(judged)} and {len(asked)}")
    k = len(class_names)
    confusion = torch.zeros(k, k, dtype=torch.long)
    confusion.index_put_((asked, judged), torch.ones_like(asked), accumulate=True)
    hits = int(confusion.diag().sum())
    per_class = {name: (float(confusion[i, i] / confusion[i].sum()) if confusion[i].sum() else None)
                 for i, name in enumerate(class_names)}
    return MetricResult("control", hits / len(asked), ci=wilson_interval(hits, len(asked)), n_fake=len(asked),
                        extras={"per_class": per_class, "confusion": confusion.tolist()},
                        provenance=dict(provenance or {}))


def intra_class_fid(f_real: torch.Tensor, y_real: torch.Tensor, f_fake: torch.Tensor, y_fake: torch.Tensor,
                    class_names: Sequence[str], provenance: Mapping[str, Any] | None = None) -> MetricResult:
    """Mean over classes of FID(real class c, generated class c); extras hold each class's FID."""
    per_class, counts = {}, {}
    for i, name in enumerate(class_names):
        r, f = f_real[y_real == i], f_fake[y_fake == i]
        if len(r) < 2 or len(f) < 2:
            raise MetricError(f"intra-class FID needs ≥ 2 real and ≥ 2 generated samples of every class; class "
                              f"{name!r} has {len(r)} real and {len(f)} generated")
        per_class[name] = frechet_distance(*feature_statistics(r), *feature_statistics(f))
        counts[name] = [len(r), len(f)]
    values = torch.tensor(list(per_class.values()), dtype=torch.float64)
    return MetricResult("intra_fid", float(values.mean()), std=float(values.std()) if len(values) > 1 else None,
                        n_real=len(f_real), n_fake=len(f_fake),
                        extras={"per_class": per_class, "counts": counts}, provenance=dict(provenance or {}))
