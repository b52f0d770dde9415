"""AC-GAN's auxiliary class loss, with an optional confidence floor for G's side."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def class_loss(logits: torch.Tensor, labels: torch.Tensor, confidence: float = 1.0) -> torch.Tensor:
    """Mean over samples of max(CE(logits_i, y_i), −log τ), τ = confidence (Odena et al. 2017, eq. 2-3).

    logits (N, K) are the auxiliary classifier's raw scores, labels (N,) the asked classes. With τ = 1 this
    is the plain cross-entropy; with τ < 1 a sample whose asked class already has probability ≥ τ adds
    −log τ and no gradient, so G stops exaggerating a class the classifier already reads.
    """
    ce = F.cross_entropy(logits.float(), labels, reduction="none")
    return ce.clamp(min=-math.log(confidence)).mean() if confidence < 1 else ce.mean()
