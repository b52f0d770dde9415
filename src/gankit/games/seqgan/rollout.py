"""SeqGAN's action values by Monte Carlo search, and its delayed rollout policy (Yu et al. 2017, eq. 4 and §4).

For a sequence Y_1:T and each prefix length t < T, N rollouts complete Y_1:t with the rollout
policy G_β; the value of the token y_t is the mean reward of the N finished sequences:
    Q(Y_1:t-1, y_t) = (1/N) Σ_n R(MC^{G_β}(Y_1:t; N)_n)   for t < T,   R(Y_1:T) for t = T.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from gankit.models.sequence import TokenGenerator


def _repeat(state: tuple[torch.Tensor, torch.Tensor], n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """An LSTM state (layers, B, H) with each sequence's row repeated n times in a row."""
    return state[0].repeat_interleave(n, 1), state[1].repeat_interleave(n, 1)


@torch.no_grad()
def rollout_rewards(tokens: torch.Tensor, rollout: TokenGenerator, D: nn.Module, n_rollouts: int,
                    reward: Callable[[torch.Tensor], torch.Tensor], generator: torch.Generator | None = None,
                    temperature: float = 1.0) -> torch.Tensor:
    """Q of every token of `tokens` (B, T): the mean reward of `n_rollouts` completions of each prefix; (B, T).

    D scores in eval mode (no dropout), as in Yu et al.'s code; the rollout policy samples at `temperature`.
    """
    was_training = D.training
    D.eval()
    try:
        B, T = tokens.shape
        states = rollout.prefix_states(tokens)  # states[t]: start and y_0..y_{t-1} read, y_t next
        q = torch.empty(B, T, device=tokens.device)
        for t in range(1, T):  # the prefix y_0..y_{t-1}: the value of token y_{t-1}
            prefix = tokens[:, :t].repeat_interleave(n_rollouts, 0)
            tail = rollout.continue_from(_repeat(states[t - 1], n_rollouts), prefix[:, -1], T - t, generator,
                                         temperature)
            scores = reward(D(torch.cat([prefix, tail], 1)).float())
            q[:, t - 1] = scores.view(B, n_rollouts).mean(1)
        q[:, T - 1] = reward(D(tokens).float())
    finally:
        D.train(was_training)
    return q


@torch.no_grad()
def update_rollout(rollout: nn.Module, policy: nn.Module, rate: float) -> None:
    """The delayed copy's update: β ← rate·β + (1 − rate)·θ (Yu et al.'s code uses rate 0.8)."""
    for b, p in zip(rollout.parameters(), policy.parameters()):
        b.mul_(rate).add_(p.detach(), alpha=1 - rate)
