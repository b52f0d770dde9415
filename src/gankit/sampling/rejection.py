"""Discriminator rejection: keep the generated samples that the run's final D finds as real as the data.

Azadi et al. 2019 ("Discriminator Rejection Sampling", section 3) accept a generated x with
probability σ(F(x)), F(x) = D̃(x) − D̃_M − log(1 − exp(D̃(x) − D̃_M − ε)) − γ (their eq. 8), where D̃
is a discriminator calibrated to the log density ratio log p_data/p_G. gankit's classifier
objectives (hinge, least squares, relativistic) do not train calibrated logits, so it keeps the
part that needs no calibration: a hard threshold on D's score. The threshold τ is the q-quantile
of D's scores on real training samples (per class for a conditional run): a candidate is kept when
D scores it at least as real as all but a fraction q of the data, so a perfect generator would
lose a fraction q of its samples and nothing else. A Wasserstein critic is refused: its score
keeps growing along its gradient beyond the data.

The threshold is set by the data, not by the candidates' own scores: a hinge D's level differs
from mode to mode, so the candidates' lowest scores can be a whole mode that G draws well, while
a mode's own real points set its floor (docs/benchmarks.md has the measurement).

`rejection_sample` draws in rounds: every output slot still empty gets a fresh candidate of its
class; those scored ≥ τ fill their slots, the rest are drawn again. Each slot holds a draw of G
conditioned on acceptance, and the result is reproducible by seed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from gankit.errors import ConfigError
from gankit.sampling.fractions import MAX_FRACTION, check_fraction, class_quantiles

MAX_REJECT = MAX_FRACTION
MAX_ROUNDS = 100
CRITIC_OBJECTIVES = ("wgan", "wgan-gp")

Draw = Callable[[int, torch.Tensor | None], torch.Tensor]
Score = Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]


def check_reject_fraction(q: object, key: str = "reject") -> float:
    """Validate a rejection fraction: a number in [0, 0.5]; errors name `key`."""
    return check_fraction(q, key, "the real data whose D scores set the threshold")


def check_single_sample_d(pack: int, remedy: str = "") -> None:
    """Refuse to score single samples with a D that judges packs of them (PacGAN, model.pack > 1)."""
    if pack > 1:
        raise ConfigError(f"with model.pack={pack} D judges packs of {pack} samples, not one, so it cannot score "
                          f"single samples{remedy}")


def check_scorable(reject: float, objective: str, pack: int, key: str = "sample.reject") -> None:
    """Refuse rejection where D's score cannot rank single samples by how real they look."""
    if not reject:
        return
    check_single_sample_d(pack, f": {key}={reject} needs that; use {key}=0")
    if objective in CRITIC_OBJECTIVES:
        raise ConfigError(f"{key}={reject} needs a D that classifies real and fake, but loss.objective={objective} "
                          f"trains a Wasserstein critic,\nwhose score grows beyond the data (Arjovsky et al. 2017); "
                          f"use {key}=0")


def data_thresholds(real_scores: torch.Tensor, q: float, real_labels: torch.Tensor | None = None,
                    num_classes: int = 0) -> torch.Tensor:
    """τ: the q-quantile of D's scores on real samples, one per class (num_classes > 0) or a single one."""
    return class_quantiles(real_scores, check_reject_fraction(q), real_labels, num_classes, "real score")


def rejection_sample(n: int, labels: torch.Tensor | None, draw: Draw, score: Score, thresholds: torch.Tensor,
                     max_rounds: int = MAX_ROUNDS, judge: str = "D", advice: str | None = None) -> torch.Tensor:
    """n samples, slot i of class labels[i], each the first of its draws scored ≥ its class's τ.

    `draw(k, labels_k)` returns k fresh candidates (later calls continue the same random stream);
    `score(x, labels_k)` returns the judge's scores (D's by default); `thresholds` holds τ per class
    (one value when unconditional). `judge` and `advice` word the error when almost nothing passes.
    """
    if n <= 0:
        return draw(0, None if labels is None else labels[:0])
    out: torch.Tensor | None = None
    empty = torch.arange(n)
    drawn = 0
    for _ in range(max_rounds):
        lab = None if labels is None else labels[empty]
        x = draw(len(empty), lab)
        drawn += len(x)
        tau = thresholds[0] if labels is None else thresholds[lab]
        ok = score(x, lab).reshape(-1) >= tau
        if out is None:
            out = torch.empty((n, *x.shape[1:]), dtype=x.dtype)
        out[empty[ok]] = x[ok]
        empty = empty[~ok]
        if not len(empty):
            return out
    if advice is None:
        advice = "turn away less (a smaller reject), or check the run: such a D has won the game"
    raise ConfigError(f"{judge} accepted only {n - len(empty)} of {drawn} candidates in {max_rounds} rounds "
                      f"({100 * (n - len(empty)) / drawn:.1f}%):\n{advice}")
