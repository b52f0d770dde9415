"""Perceptual path length (Karras et al. 2019, section 4.2, eq. 2-3): how smoothly images change along latent paths.

PPL = E[ d(G(lerp(w1, w2, t)), G(lerp(w1, w2, t + ε))) / ε² ], t ~ U(0, 1) ('full') or t ∈ {0} ('end'),
in W for a StyleGAN2 generator (lerp) and in Z for others (slerp, as the paper does for Z). As in
the paper's code, the 1% smallest and largest values are dropped before the mean.

The distance d: the paper uses LPIPS on VGG16, whose weights cannot be downloaded here. gankit uses,
by default, the squared Euclidean distance between the penultimate features of the run's domain
classifier (Fashion-MNIST or digits), and LPIPS when the user supplies its weights (`lpips_weights`).
The two scales differ, so a PPL is only comparable with PPLs of the same distance, which the result
records in its provenance.
"""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.errors import ConfigError
from gankit.latent.interpolation import slerp
from gankit.metrics.base import MetricResult
from gankit.metrics.features import domain_classifier_for
from gankit.metrics.lpips import load_lpips
from gankit.models.protocols import MappedGenerator
from gankit.run import Run


def _distance(run, lpips_weights: str | Path | None):
    if lpips_weights is not None:

        model = load_lpips(lpips_weights)
        return model, "lpips-vgg16 (user weights)"

    clf = domain_classifier_for(run.data_name, "perceptual path length (as its distance)",
                                "supply LPIPS weights instead (lpips_weights=..., CLI --lpips-weights)")

    def d(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (clf.features(a) - clf.features(b)).pow(2).sum(1)

    return d, f"squared distance of {clf.name} features"


@torch.no_grad()
def perceptual_path_length(run: Run, n: int = 2000, eps: float = 1e-4, sampling: str = "full", seed: int = 0,
                           batch_size: int = 200, lpips_weights: str | Path | None = None) -> MetricResult:
    """PPL of a run's sampling generator over n pairs (see the module docstring)."""
    if run.kind != "image":
        raise ConfigError("perceptual path length is measured on image runs")
    if sampling not in ("full", "end"):
        raise ConfigError(f"sampling must be 'full' or 'end', got {sampling!r}")
    G = run.generator()
    distance, label = _distance(run, lpips_weights)
    in_w = isinstance(G, MappedGenerator)
    g = torch.Generator().manual_seed(seed)
    k = run.num_classes
    values = []
    for start in range(0, n, batch_size):
        m = min(batch_size, n - start)
        z = torch.randn(2 * m, run.z_dim, generator=g)
        c = torch.randint(0, k, (m,), generator=g).repeat(2) if k else None
        t = torch.rand(m, generator=g) if sampling == "full" else torch.zeros(m)
        args = (z,) if c is None else (z, c)
        if in_w:
            w = G.mapping(*args)
            w0, w1 = w[:m], w[m:]
            t_ = t.view(-1, 1, 1)
            a, b = w0 + t_ * (w1 - w0), w0 + (t_ + eps) * (w1 - w0)
            xa, xb = G.synthesis(a), G.synthesis(b)
        else:
            z0, z1 = z[:m], z[m:]
            pa = torch.stack([slerp(z0[i], z1[i], t[i:i + 1])[0] for i in range(m)])
            pb = torch.stack([slerp(z0[i], z1[i], t[i:i + 1] + eps)[0] for i in range(m)])
            cc = c[:m] if c is not None else None
            xa = G(pa) if cc is None else G(pa, cc)
            xb = G(pb) if cc is None else G(pb, cc)
        values.append(distance(xa.float(), xb.float()) / eps**2)
    v = torch.cat(values).double()
    lo, hi = torch.quantile(v, 0.01), torch.quantile(v, 0.99)
    kept = v[(v >= lo) & (v <= hi)]
    return MetricResult("ppl", float(kept.mean()), std=float(kept.std()), n_fake=len(v),
                        extras={"space": "w (lerp)" if in_w else "z (slerp)", "sampling": sampling, "eps": eps,
                                "kept": len(kept)},
                        provenance={"distance": label, "seed": seed})


