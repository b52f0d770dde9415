"""The networks of SeqGAN (Yu et al. 2017): an LSTM policy over tokens and a CNN discriminator with highway layers.

Token ids are 0..V-1; the generator has one more input embedding, V, for the start of a sequence,
which it never emits. Sequences have a fixed length T (the training window).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

LSTMState = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (layers, B, hidden)
# Yu et al. 2017's discriminator (text experiments): filter widths and how many filters of each
YU_FILTERS = ((1, 100), (2, 200), (3, 200), (4, 200), (5, 200), (6, 100), (7, 100), (8, 100), (9, 100), (10, 100),
              (15, 160), (20, 160))


def sample_categorical(probs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One index per row of probs (B, V), drawn by inverting the cumulative distribution with one uniform per row.

    The same distribution as torch.multinomial(probs, 1), some 30× faster for a few thousand classes on a
    CPU, where SeqGAN's rollouts draw hundreds of thousands of tokens per step.
    """
    cdf = probs.cumsum(-1)
    u = torch.rand(len(probs), 1, generator=generator, device=probs.device, dtype=cdf.dtype) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True).clamp_max(probs.shape[-1] - 1)[:, 0]


class TokenGenerator(nn.Module):
    """G_θ(y_t | Y_1:t-1): token embedding → LSTM → logits over the vocabulary.

    Shapes: `forward` takes ids (B, T) and gives the logits (B, T, V) of each position given the
    ones before it (teacher forcing); `sample` draws (n, T) ids autoregressively.
    """

    def __init__(self, vocab_size: int, embed: int = 64, hidden: int = 128, layers: int = 1,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.vocab_size, self.hidden, self.layers = vocab_size, hidden, layers
        self.embed = nn.Embedding(vocab_size + 1, embed)  # + the start token
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)
        self.drop = nn.Dropout(dropout)  # on the LSTM's input and output, in train mode only (Zaremba et al. 2014)

    @property
    def start(self) -> int:
        """The id of the start-of-sequence input."""
        return self.vocab_size

    def _inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        """The inputs of each position: the start token, then the sequence shifted right by one."""
        start = torch.full_like(tokens[:, :1], self.start)
        return torch.cat([start, tokens[:, :-1]], 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, V) of every position given the tokens before it."""
        h, _ = self.lstm(self.drop(self.embed(self._inputs(tokens))))
        return self.out(self.drop(h))

    def step(self, token: torch.Tensor, state: LSTMState | None) -> tuple[torch.Tensor, LSTMState]:
        """One step: the logits (B, V) of the next token after `token` (B,), and the new state."""
        h, state = self.lstm(self.drop(self.embed(token)).unsqueeze(1), state)
        return self.out(self.drop(h[:, 0])), state

    def prefix_states(self, tokens: torch.Tensor) -> list[LSTMState]:
        """The LSTM state after reading the start token and y_1..y_t, for t = 0..T-1 (T states)."""
        inputs = self.drop(self.embed(self._inputs(tokens)))
        states, state = [], None
        for t in range(tokens.shape[1]):
            _, state = self.lstm(inputs[:, t : t + 1], state)
            states.append(state)
        return states

    def continue_from(self, state: LSTMState, last: torch.Tensor, steps: int, generator: torch.Generator | None,
                      temperature: float = 1.0) -> torch.Tensor:
        """Sample `steps` tokens (B, steps) after a state that has not yet consumed `last` (B,)."""
        out = []
        token = last
        for _ in range(steps):
            logits, state = self.step(token, state)
            token = sample_categorical(F.softmax(logits.float() / temperature, dim=-1), generator)
            out.append(token)
        return torch.stack(out, 1) if out else last.new_zeros((len(last), 0))

    @torch.no_grad()
    def sample(self, n: int, length: int, generator: torch.Generator | None = None,
               temperature: float = 1.0) -> torch.Tensor:
        """n sequences (n, length) of token ids drawn from the policy."""
        device = self.out.weight.device
        start = torch.full((n,), self.start, dtype=torch.long, device=device)
        return self.continue_from(None, start, length, generator, temperature)


class Highway(nn.Module):
    """y = τ ⊙ relu(W_H x) + (1 − τ) ⊙ x with τ = σ(W_T x) (Srivastava et al. 2015), as in SeqGAN's D."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.transform, self.gate = nn.Linear(width, width), nn.Linear(width, width)
        nn.init.constant_(self.gate.bias, -1.0)  # start close to the identity (carry), as Srivastava et al. advise

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The gated mix of a transformed x and x itself."""
        tau = torch.sigmoid(self.gate(x))
        return tau * F.relu(self.transform(x)) + (1 - tau) * x


def scaled_filters(length: int, scale: float) -> tuple[tuple[int, int], ...]:
    """Yu et al.'s filters that fit a sequence of `length` tokens, each count multiplied by `scale` (at least 1)."""
    return tuple((w, max(1, round(n * scale))) for w, n in YU_FILTERS if w <= length)


class TokenDiscriminator(nn.Module):
    """D(Y): a raw logit per sequence (larger = more real) from convolutions of several widths over token embeddings.

    Embedding (B, T, E) → for each (width, count): conv over time, ReLU, max over time → concat
    (B, Σcount) → highway → dropout → linear → (B,). Yu et al. 2017, §4 and appendix.
    """

    def __init__(self, vocab_size: int, length: int, embed: int = 64, scale: float = 0.25,
                 dropout: float = 0.25) -> None:
        super().__init__()
        self.filters = scaled_filters(length, scale)
        self.embed = nn.Embedding(vocab_size, embed)
        self.convs = nn.ModuleList(nn.Conv1d(embed, n, w) for w, n in self.filters)
        width = sum(n for _, n in self.filters)
        self.highway = Highway(width)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(width, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (B,) for id sequences (B, T)."""
        e = self.embed(tokens).transpose(1, 2)  # (B, E, T)
        pooled = torch.cat([F.relu(conv(e)).amax(-1) for conv in self.convs], 1)
        return self.out(self.dropout(self.highway(pooled)))[:, 0]
