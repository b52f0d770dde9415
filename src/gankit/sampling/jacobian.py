"""Jacobian rejection: turn away the samples a generator draws where it stretches its latent space the most.

A continuous generator fed a connected latent (a Gaussian) has a connected output: when the data
lie on disconnected modes, G must cross the gaps between them somewhere, and its samples there
are of low quality. Tanielian et al. 2020 ("Learning disconnected manifolds: a no GAN's land",
ICML, section 4) argue that the latent points mapped into those gaps are where G stretches the
most, where ‖J_G(z)‖_F = ‖∂G(z)/∂z‖_F is large, and reject them. gankit keeps a candidate z when
‖J_G(z)‖_F is at most τ, the (1 − q)-quantile of the norm over a fixed reference draw of the
latent (REFERENCE_SIZE of them, per class for a conditional run), so a fraction q of G's latent
space is turned away, wherever G puts it. Unlike D's rejection it needs no discriminator, and it
also turns away what D cannot see, such as samples just off a mode that D scores as real.

The norm is exact (one forward-mode Jacobian-vector product per latent coordinate) for latents of
up to EXACT_MAX_DIM coordinates; beyond that it is Hutchinson's estimate ‖J‖_F² = E_v‖J v‖²,
v ~ N(0, I), over `probes` fixed random directions (Hutchinson 1989), one JVP each. A JVP costs
about three forward passes, so each candidate costs about 3 × probes of them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from gankit.sampling.fractions import MAX_FRACTION, check_fraction, class_quantiles

MAX_JACOBIAN_REJECT = MAX_FRACTION
EXACT_MAX_DIM = 16
DEFAULT_PROBES = 8
REFERENCE_SIZE = {"points": 10_000, "image": 1_000}  # latents whose norms set τ; an image G's JVPs cost more
REFERENCE_SEED = 20_200_612  # the reference latents are the same for every run and every call

LatentMap = Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]


def check_jacobian_reject(q: object, key: str = "sample.jacobian_reject") -> float:
    """Validate a Jacobian rejection fraction: a number in [0, 0.5]; errors name `key`."""
    return check_fraction(q, key, "the latent space, where G stretches most, to turn away")


def jacobian_norms(fn: LatentMap, z: torch.Tensor, c: torch.Tensor | None = None, probes: int = DEFAULT_PROBES,
                   seed: int = 0, batch_size: int = 1024) -> torch.Tensor:
    """‖∂fn(z, c)/∂z‖_F for each row of z: exact up to EXACT_MAX_DIM latent coordinates, else over `probes` directions."""
    dim = z.shape[1]
    if dim <= EXACT_MAX_DIM:
        directions, scale = torch.eye(dim), 1.0
    else:
        if probes < 1:
            raise ValueError(f"the Hutchinson estimate needs at least one probe direction, got {probes}")
        directions = torch.randn(probes, dim, generator=torch.Generator().manual_seed(seed))
        scale = 1.0 / probes
    out = []
    for i in range(0, len(z), batch_size):
        zb = z[i : i + batch_size]
        cb = None if c is None else c[i : i + batch_size]
        sq = torch.zeros(len(zb), dtype=torch.float64)
        for v in directions.to(zb):
            _, jv = torch.func.jvp(lambda t, cb=cb: fn(t, cb), (zb,), (v.expand_as(zb),))
            sq += jv.detach().double().flatten(1).pow(2).sum(1).cpu()
        out.append((sq * scale).sqrt().float())
    return torch.cat(out) if out else torch.zeros(0)


def stretch_thresholds(norms: torch.Tensor, q: float, labels: torch.Tensor | None = None,
                       num_classes: int = 0) -> torch.Tensor:
    """τ: the (1 − q)-quantile of the reference norms, one per class (num_classes > 0) or a single one."""
    return class_quantiles(norms, 1.0 - check_jacobian_reject(q), labels, num_classes, "reference latent")
