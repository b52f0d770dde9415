"""Discriminator rejection: keep the generated samples that the run's final D finds as real as the data.

Azadi et al. 2019 ("Discriminator Rejection Sampling", section 3) accept a generated x with
probability σ(F(x)), F(x) = D̃(x) − D̃_M − log(1 − exp(D̃(x) − D̃_M − ε)) − γ (their eq. 8), where D̃
is a discriminator calibrated to the log density ratio log p_data/p_G and γ shifts the acceptance
rate. gankit's classifier objectives (hinge, least squares, relativistic) do not train calibrated logits, so it
keeps the part that needs no calibration: a hard threshold on D's score. The threshold τ is the
q-quantile of D's scores on real training samples (per class for a conditional run): a candidate is
kept when D scores it at least as real as all but a fraction q of the data. So a perfect generator
would lose a fraction q of its samples and nothing else, whatever the classifier's objective. A
Wasserstein critic is refused: its score keeps growing along its gradient beyond the data.

Why not a quantile of the candidates' own scores (keep the n best of ⌈n/(1−q)⌉): a hinge D's level
differs from mode to mode (at equilibrium D(real) ≈ D(fake) within a mode, but the common level is
free), so the candidates' lowest scores can be a whole mode that G draws well. On grid25 that rule
emptied a mode on 2 of 10 seeds (bench.modes, docs/benchmarks.md). Under a threshold set by the
data, a mode's own real points set its floor, so at most a fraction q of the data's mass can fall
below it.

Sampling draws in rounds: every output slot still empty gets a fresh candidate of its class; those
scored ≥ τ fill their slots, the rest are drawn again. Each slot thus holds a draw of G conditioned
on acceptance, and the result is reproducible by seed.
"""

from __future__ import annotations

from typing import Callable

import torch

from gankit.errors import ConfigError

MAX_REJECT = 0.5  # turning away more of the data than this would make D, not G, the sampler
MAX_ROUNDS = 100


def check_reject_fraction(q: float, key: str = "reject") -> float:
    """Validate a rejection fraction: a number in [0, 0.5]; errors name `key`."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0.0 <= q <= MAX_REJECT:
        raise ConfigError(f"{key} must be a fraction in [0, {MAX_REJECT}] of the real data whose D score sets the "
                          f"acceptance threshold (0 = off), got {q!r}")
    return float(q)


CRITIC_OBJECTIVES = ("wgan", "wgan-gp")


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
                          "trains a Wasserstein critic: its score is a transport potential that keeps growing along "
                          "its gradient beyond the data (Arjovsky et al. 2017), so samples far from the data can "
                          f"outscore the data itself; use {key}=0")


def class_quantiles(values: torch.Tensor, level: float, labels: torch.Tensor | None = None, num_classes: int = 0,
                    what: str = "real sample") -> torch.Tensor:
    """The `level`-quantile of values, one per class (num_classes > 0) or a single one; `what` names a value in errors."""
    values = values.reshape(-1).double()
    if not num_classes:
        return torch.quantile(values, level).reshape(1).float()
    if labels is None or len(labels) != len(values):
        raise ValueError(f"per-class thresholds need one class label per {what}")
    taus = torch.empty(num_classes)
    for cls in range(num_classes):
        mine = values[labels == cls]
        if not len(mine):
            raise ValueError(f"no {what} of class {cls} to set its threshold")
        taus[cls] = torch.quantile(mine, level).float()
    return taus


def data_thresholds(real_scores: torch.Tensor, q: float, real_labels: torch.Tensor | None = None,
                    num_classes: int = 0) -> torch.Tensor:
    """τ: the q-quantile of D's scores on real samples, one per class (num_classes > 0) or a single one."""
    return class_quantiles(real_scores, check_reject_fraction(q), real_labels, num_classes, "real score")


def rejection_sample(n: int, labels: torch.Tensor | None, draw: Callable[[int, torch.Tensor | None], torch.Tensor],
                     score: Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor], thresholds: torch.Tensor,
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
        advice = ("at this threshold D finds almost nothing G draws as real as the data. Turn away less (a "
                  "smaller reject), or check the run: such a D has won the game")
    raise ConfigError(f"{judge} accepted only {n - len(empty)} of {drawn} candidates in {max_rounds} rounds "
                      f"({100 * (n - len(empty)) / drawn:.1f}%): {advice}")
