"""The losses of a generator of token sequences: maximum likelihood, and SeqGAN's policy gradient.

Shapes: logits (B, T, V) of the policy at each position given the tokens before it, tokens (B, T)
int64, rewards (B, T). Yu et al. 2017 (SeqGAN), eq. 1-2 and 6-8.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from gankit.errors import ConfigError

Tensor = torch.Tensor
REWARDS = ("minimax", "nonsaturating", "lsgan", "wgan", "hinge")  # objectives whose D gives a per-sequence reward


def token_log_probs(logits: Tensor, tokens: Tensor) -> Tensor:
    """log G_θ(y_t | Y_1:t-1) of the given tokens: (B, T)."""
    return F.log_softmax(logits.float(), dim=-1).gather(-1, tokens.unsqueeze(-1))[..., 0]


def mle_loss(logits: Tensor, tokens: Tensor) -> Tensor:
    """Teacher-forced negative log-likelihood per token: −(1/BT) Σ_b Σ_t log G_θ(y_t | Y_1:t-1)."""
    return F.cross_entropy(logits.float().flatten(0, 1), tokens.flatten())


def policy_gradient_loss(logits: Tensor, tokens: Tensor, rewards: Tensor) -> Tensor:
    """REINFORCE with SeqGAN's action values: L = −(1/BT) Σ_b Σ_t Q(Y_1:t-1, y_t) · log G_θ(y_t | Y_1:t-1).

    Its gradient is the estimate of ∇J(θ) in eq. 8 of Yu et al. 2017 (averaged instead of summed over t).
    The rewards are constants: no gradient flows into them.
    """
    return -(token_log_probs(logits, tokens) * rewards.detach().float()).mean()


def reward_function(objective: str) -> Callable[[Tensor], Tensor]:
    """How D's raw output becomes the reward of a finished sequence under an objective.

    minimax/nonsaturating: D's probability of "real", σ(logit) (Yu et al. 2017); lsgan: the output
    itself, which D fits to 1 for real and 0 for fake (Lee et al. 2017's LS-SeqGAN); wgan and hinge:
    the critic's value (Lee et al.'s W-SeqGAN). Relativistic objectives score pairs, not sequences.
    """
    if objective in ("minimax", "nonsaturating"):
        return torch.sigmoid
    if objective in ("lsgan", "wgan", "hinge"):
        return lambda logits: logits
    raise ConfigError(f"loss.objective={objective} has no per-sequence reward for SeqGAN's policy gradient;\n"
                      f"choose one of: {', '.join(REWARDS)}")
