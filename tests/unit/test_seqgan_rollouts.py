"""SeqGAN's pieces against hand computations: the losses, the rollout rewards, the policy-gradient sign, the networks."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch import nn

from gankit.games.seqgan.rollout import rollout_rewards, update_rollout
from gankit.losses.sequence import mle_loss, policy_gradient_loss, reward_function, token_log_probs
from gankit.models.sequence import TokenDiscriminator, TokenGenerator, sample_categorical, scaled_filters


class TableGenerator(TokenGenerator):
    """A policy whose next-token distribution depends only on the previous token (a fixed Markov chain)."""

    def __init__(self, table: torch.Tensor) -> None:
        super().__init__(vocab_size=table.shape[1], embed=2, hidden=2)
        self.table = table  # (V + 1, V): row = previous token (V = start), probabilities of the next

    def step(self, token, state):
        return self.table[token].log(), state

    def prefix_states(self, tokens):
        empty = torch.zeros(1, len(tokens), 1)
        return [(empty, empty)] * tokens.shape[1]


class SumD(nn.Module):
    """A fixed 'discriminator': the logit of a sequence is the sum of its token ids (the number of 1s for 0/1 tokens)."""

    def forward(self, tokens):
        return tokens.float().sum(1)


def test_mle_loss_is_the_mean_negative_log_likelihood():
    logits = torch.randn(3, 5, 7)
    tokens = torch.randint(0, 7, (3, 5))
    by_hand = -torch.stack([logits[b, t].log_softmax(-1)[tokens[b, t]] for b in range(3) for t in range(5)]).mean()
    assert mle_loss(logits, tokens).item() == pytest.approx(by_hand.item(), rel=1e-6)


def test_policy_gradient_loss_matches_its_formula_and_ignores_reward_gradients():
    logits = torch.randn(2, 4, 5, requires_grad=True)
    tokens = torch.randint(0, 5, (2, 4))
    rewards = torch.rand(2, 4, requires_grad=True)
    loss = policy_gradient_loss(logits, tokens, rewards)
    by_hand = -(token_log_probs(logits, tokens) * rewards.detach()).mean()
    assert loss.item() == pytest.approx(by_hand.item(), rel=1e-6)
    loss.backward()
    assert rewards.grad is None


def test_raising_the_reward_of_a_token_raises_its_probability():
    """One gradient step of the policy gradient: the token with the larger reward gains probability."""
    for rewarded in range(3):
        logits = torch.zeros(1, 1, 3, requires_grad=True)
        tokens = torch.tensor([[rewarded]])
        policy_gradient_loss(logits, tokens, torch.ones(1, 1)).backward()
        with torch.no_grad():
            after = (logits - 0.5 * logits.grad).softmax(-1)[0, 0]
        assert after[rewarded] > 1 / 3 and all(after[k] < 1 / 3 for k in range(3) if k != rewarded)
    # a zero reward leaves the policy where it is; a negative one pushes the token down
    logits = torch.zeros(1, 1, 3, requires_grad=True)
    policy_gradient_loss(logits, torch.tensor([[0]]), -torch.ones(1, 1)).backward()
    assert (logits - 0.5 * logits.grad).softmax(-1)[0, 0, 0] < 1 / 3


def test_rewards_per_objective():
    logits = torch.tensor([-2.0, 0.0, 3.0])
    assert torch.allclose(reward_function("nonsaturating")(logits), torch.sigmoid(logits))
    assert torch.equal(reward_function("lsgan")(logits), logits)
    assert torch.equal(reward_function("wgan")(logits), logits)
    with pytest.raises(ValueError, match="per-sequence reward"):
        reward_function("rsgan")


def test_rollout_reward_equals_the_hand_computation_on_a_deterministic_policy():
    """G always writes 1 after 0 and 0 after 1 (and 1 first); D counts the 1s. Q is then known exactly."""
    table = torch.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]).clamp_min(1e-12)
    G, D = TableGenerator(table), SumD()
    tokens = torch.tensor([[0, 0, 0, 0], [1, 1, 1, 1]])
    q = rollout_rewards(tokens, G, D, n_rollouts=4, reward=lambda x: x)
    # prefix [0] -> 0 1 0 1 (two 1s); [0,0] -> 0 0 1 0 (one); [0,0,0] -> 0 0 0 1 (one); full: zero
    # prefix [1] -> 1 0 1 0 (two); [1,1] -> 1 1 0 1 (three); [1,1,1] -> 1 1 1 0 (three); full: four
    assert q.tolist() == [[2.0, 1.0, 1.0, 0.0], [2.0, 3.0, 3.0, 4.0]]


def test_rollout_reward_converges_to_the_expected_reward_of_a_stochastic_policy():
    """With a random policy, Q(prefix) is the expectation over every completion, which we enumerate."""
    torch.manual_seed(0)
    table = torch.softmax(torch.randn(4, 3), -1)  # V = 3, start = 3
    G, D = TableGenerator(table), SumD()
    reward = torch.sigmoid
    tokens = torch.tensor([[2, 1, 0, 1]])
    T = tokens.shape[1]

    def expected(prefix):
        total = 0.0
        for tail in itertools.product(range(3), repeat=T - len(prefix)):
            seq, p = list(prefix) + list(tail), 1.0
            for i in range(len(prefix), T):
                p *= float(table[seq[i - 1] if i else 3, seq[i]])
            total += p * float(reward(torch.tensor(float(sum(seq)))))
        return total

    q = rollout_rewards(tokens, G, D, n_rollouts=20000, reward=reward, generator=torch.Generator().manual_seed(1))
    for t in range(1, T + 1):
        assert q[0, t - 1].item() == pytest.approx(expected(tokens[0, :t].tolist()), abs=0.01)


def test_update_rollout_moves_a_fifth_of_the_way():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    before = a.weight.detach().clone()
    update_rollout(a, b, 0.8)
    assert torch.allclose(a.weight, 0.8 * before + 0.2 * b.weight)


def test_generator_step_agrees_with_teacher_forcing_and_states():
    torch.manual_seed(0)
    G = TokenGenerator(11, embed=8, hidden=16)
    tokens = torch.randint(0, 11, (3, 6))
    full = G(tokens)
    state, token = None, torch.full((3,), G.start)
    for t in range(6):
        logits, state = G.step(token, state)
        assert torch.allclose(logits, full[:, t], atol=1e-5)
        token = tokens[:, t]
    states = G.prefix_states(tokens)
    logits, _ = G.step(tokens[:, 2], states[2])
    assert torch.allclose(logits, full[:, 3], atol=1e-5)


def test_sampling_is_seeded_and_in_the_vocabulary():
    G = TokenGenerator(9, embed=4, hidden=8)
    a = G.sample(5, 7, torch.Generator().manual_seed(3))
    b = G.sample(5, 7, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and a.shape == (5, 7) and 0 <= int(a.min()) and int(a.max()) < 9


def test_discriminator_filters_follow_yu_et_al():
    assert scaled_filters(32, 1.0)[-1] == (20, 160) and len(scaled_filters(32, 1.0)) == 12
    assert all(w <= 8 for w, _ in scaled_filters(8, 1.0))
    D = TokenDiscriminator(13, 16, embed=8, scale=0.1)
    assert D(torch.randint(0, 13, (4, 16))).shape == (4,)
    assert math.isclose(sum(n for _, n in D.filters), sum(max(1, round(n * 0.1)) for _, n in scaled_filters(16, 1.0)))


def test_categorical_sampler_draws_the_given_distribution():
    probs = torch.tensor([[0.5, 0.0, 0.2, 0.3]]).expand(100_000, 4).contiguous()
    counts = torch.bincount(sample_categorical(probs, torch.Generator().manual_seed(0)), minlength=4) / 100_000
    assert counts[1] == 0 and torch.allclose(counts, probs[0], atol=0.006)
    one_hot = torch.eye(5)[torch.tensor([4, 0, 2])]
    assert sample_categorical(one_hot).tolist() == [4, 0, 2]
