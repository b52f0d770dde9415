"""BLEU of generated token sequences against a reference corpus, as the SeqGAN papers report it.

For a hypothesis h of length c and references R (all of them, for every hypothesis):
  p_k = Σ_g min(count_h(g), max_{r∈R} count_r(g)) / max(1, c − k + 1)   over the k-grams g of h   (clipped precision)
  BP  = 1 if c > r*, 0 if c = 0, else exp(1 − r*/c),   r* = the reference length closest to c (ties: the shorter)
  BLEU-n(h) = BP · exp(Σ_{k≤n, p_k>0} (1/n) log p_k),   and 0 when p_1 = 0
(Papineni et al. 2002), where each p_k with no match is smoothed by Chen & Cherry's (2014) method 4: the i-th
such order (i = 1, 2, ...) gets p_k = ln(c) / (2^i · 5 · max(1, c − k + 1)), for c > 1. The score is the mean of
BLEU-n over the hypotheses (Yu et al. 2017, SeqGAN; Lee et al. 2017). This equals, to rounding,
`mean(nltk.translate.bleu_score.sentence_bleu(R, h, (1/n,)*n, SmoothingFunction().method4) for h in H)`.

Speed: the references are read once. Each n-gram gets a dense integer id (its (n−1)-gram prefix id times the
vocabulary size plus its last token), and the maximum count of each id over the references is kept; a batch of
hypotheses is then scored with a few sorted look-ups, with no Python loop over n-grams.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import torch

from gankit.metrics.base import MetricError

SMOOTHING_K = 5  # NLTK's SmoothingFunction(k=5), the value of Chen & Cherry (2014)

TokenSequences = Iterable[Sequence[int]] | torch.Tensor | np.ndarray


def _as_sequences(seqs: TokenSequences) -> list[np.ndarray]:
    """A list of 1-D int64 arrays from lists of ints, arrays, or a 2-D tensor/array (one row per sequence)."""
    if isinstance(seqs, torch.Tensor):
        seqs = seqs.detach().cpu().numpy()
    if isinstance(seqs, np.ndarray) and seqs.ndim == 2:
        return [row.astype(np.int64) for row in seqs]
    out = []
    for s in seqs:
        if isinstance(s, torch.Tensor):
            s = s.detach().cpu().numpy()
        out.append(np.asarray(s, dtype=np.int64).reshape(-1))
    return out


class _Flat:
    """Sequences laid end to end: tokens, the sequence of each token, and how many tokens are left from it."""

    def __init__(self, seqs: list[np.ndarray]):
        self.lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        self.tokens = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64)
        self.seq = np.repeat(np.arange(len(seqs), dtype=np.int64), self.lengths)
        starts = np.cumsum(self.lengths) - self.lengths
        self.remaining = self.lengths[self.seq] - (np.arange(len(self.tokens)) - starts[self.seq])

    def shifted(self, ids: np.ndarray, k: int) -> np.ndarray:
        """ids[j + k] at each j (−1 past the end; only read where the n-gram fits its sequence)."""
        out = np.full_like(ids, -1)
        if k < len(ids):
            out[: len(ids) - k] = ids[k:]
        return out


def _count_per_sequence(flat: _Flat, ids: np.ndarray, n_gram_ids: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sequence, n-gram id, count) for every distinct n-gram (id ≥ 0) of every sequence."""
    hit = ids >= 0
    pairs, counts = np.unique(flat.seq[hit] * n_gram_ids + ids[hit], return_counts=True)
    return pairs // max(n_gram_ids, 1), pairs % max(n_gram_ids, 1), counts


class BleuReferences:
    """A reference corpus prepared once for BLEU up to `max_order`: n-gram ids, their maximum counts, the lengths."""

    def __init__(self, references: TokenSequences, max_order: int = 4):
        refs = _as_sequences(references)
        if not refs:
            raise MetricError("BLEU needs at least one reference sequence")
        if max_order < 1:
            raise MetricError(f"BLEU's n-gram order must be at least 1, got {max_order}")
        self.max_order = max_order
        self.ref_lengths = np.unique([len(r) for r in refs])
        flat = _Flat(refs)
        self.vocab, tok = np.unique(flat.tokens, return_inverse=True)
        self.keys: list[np.ndarray] = []  # per order: the sorted n-gram keys; an n-gram's id is its index here
        self.max_counts: list[np.ndarray] = []  # per order: max count of each n-gram id over the references
        ids = tok.reshape(-1).astype(np.int64)
        for n in range(1, max_order + 1):
            if n == 1:
                keys = np.arange(len(self.vocab), dtype=np.int64)
            else:
                fits = flat.remaining >= n
                raw = ids * len(self.vocab) + flat.shifted(tok, n - 1)
                keys, inverse = np.unique(raw[fits], return_inverse=True)
                ids = np.full(len(tok), -1, dtype=np.int64)
                ids[fits] = inverse.reshape(-1)
            _, gram, counts = _count_per_sequence(flat, ids, len(keys))
            max_counts = np.zeros(len(keys), dtype=np.int64)
            np.maximum.at(max_counts, gram, counts)
            self.keys.append(keys)
            self.max_counts.append(max_counts)

    def _lookup(self, keys: np.ndarray, table: np.ndarray) -> np.ndarray:
        """The index of each key in a sorted table, −1 where it is absent (or the key is −1)."""
        if len(table) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.searchsorted(table, keys).clip(0, len(table) - 1)
        return np.where((keys >= 0) & (table[at] == keys), at, -1)

    def clipped_matches(self, hypotheses: TokenSequences) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Clipped match counts (H, max_order), n-gram counts (H, max_order) and lengths (H,) of the hypotheses."""
        flat = _Flat(_as_sequences(hypotheses))
        h = len(flat.lengths)
        matches = np.zeros((h, self.max_order), dtype=np.int64)
        tok = self._lookup(flat.tokens, self.vocab)
        ids = tok
        for n in range(1, self.max_order + 1):
            if n > 1:
                nxt = flat.shifted(tok, n - 1)
                raw = np.where((ids >= 0) & (nxt >= 0) & (flat.remaining >= n), ids * len(self.vocab) + nxt, -1)
                ids = self._lookup(raw, self.keys[n - 1])
            seq, gram, counts = _count_per_sequence(flat, ids, len(self.keys[n - 1]))
            clipped = np.minimum(counts, self.max_counts[n - 1][gram])
            matches[:, n - 1] = np.bincount(seq, weights=clipped, minlength=h).astype(np.int64)
        totals = np.maximum(flat.lengths[:, None] - np.arange(self.max_order)[None, :], 0)
        return matches, totals, flat.lengths

    def closest_lengths(self, hyp_lengths: np.ndarray) -> np.ndarray:
        """The reference length closest to each hypothesis length, the shorter on a tie (NLTK's closest_ref_length)."""
        rl = self.ref_lengths
        at = np.searchsorted(rl, hyp_lengths)
        lo, hi = rl[(at - 1).clip(0, len(rl) - 1)], rl[at.clip(0, len(rl) - 1)]
        return np.where(np.abs(hyp_lengths - lo) <= np.abs(hi - hyp_lengths), lo, hi)

    def sentence_scores(self, hypotheses: TokenSequences, orders: Sequence[int] = (2, 3, 4)) -> dict[int, np.ndarray]:
        """Sentence-level BLEU-n of each hypothesis against all references, for each n in orders: {n: (H,)}."""
        if not orders or min(orders) < 1 or max(orders) > self.max_order:
            raise MetricError(f"BLEU orders must lie in 1..{self.max_order} (the references were prepared up to "
                              f"order {self.max_order}), got {tuple(orders)}")
        matches, totals, lengths = self.clipped_matches(hypotheses)
        closest = self.closest_lengths(lengths)
        out = {n: np.zeros(len(lengths)) for n in orders}
        for i in range(len(lengths)):
            p = _smoothed_precisions(matches[i], totals[i], int(lengths[i]), max(orders))
            bp = _brevity_penalty(int(closest[i]), int(lengths[i]))
            for n in orders:
                out[n][i] = _combine(p[:n], bp) if matches[i, 0] > 0 else 0.0
        return out

    def score(self, hypotheses: TokenSequences, orders: Sequence[int] = (2, 3, 4)) -> dict[str, float]:
        """Mean sentence BLEU-n over the hypotheses for each n in orders: {"bleu2": ..., "bleu3": ..., ...}."""
        per = self.sentence_scores(hypotheses, orders)
        if len(next(iter(per.values()))) == 0:
            raise MetricError("BLEU needs at least one hypothesis")
        return {f"bleu{n}": float(math.fsum(v) / len(v)) for n, v in per.items()}


def _smoothed_precisions(matches: np.ndarray, totals: np.ndarray, hyp_len: int, n: int) -> list[float]:
    """p_1..p_n of one hypothesis, each order without a match smoothed by Chen & Cherry's method 4 (as NLTK)."""
    p, step = [], 1
    for k in range(n):
        denominator = max(1, int(totals[k]))
        if matches[k] == 0 and hyp_len > 1:
            p.append((1 / (2**step * SMOOTHING_K / math.log(hyp_len))) / denominator)
            step += 1
        else:
            p.append(int(matches[k]) / denominator)
    return p


def _brevity_penalty(closest_ref_len: int, hyp_len: int) -> float:
    """BP = 1 if c > r, 0 if c = 0, else exp(1 − r/c) (Papineni et al. 2002)."""
    if hyp_len > closest_ref_len:
        return 1.0
    if hyp_len == 0:
        return 0.0
    return math.exp(1 - closest_ref_len / hyp_len)


def _combine(p: list[float], bp: float) -> float:
    """BP · exp(Σ (1/n) log p_k) over the positive p_k, with NLTK's order of floating-point operations."""
    w = 1 / len(p)
    return bp * math.exp(math.fsum(w * math.log(p_k) for p_k in p if p_k > 0))


def _references(references: TokenSequences | BleuReferences, max_order: int) -> BleuReferences:
    if isinstance(references, BleuReferences) and references.max_order >= max_order:
        return references
    if isinstance(references, BleuReferences):
        raise MetricError(f"these references were prepared up to order {references.max_order}; "
                          f"BLEU-{max_order} needs BleuReferences(refs, max_order={max_order})")
    return BleuReferences(references, max_order)


def bleu(hypotheses: TokenSequences, references: TokenSequences | BleuReferences, n: int) -> float:
    """Mean sentence BLEU-n (uniform weights, method-4 smoothing) of the hypotheses, each against all references."""
    return bleu_scores(hypotheses, references, orders=(n,))[f"bleu{n}"]


def bleu_scores(hypotheses: TokenSequences, references: TokenSequences | BleuReferences,
                orders: Sequence[int] = (2, 3, 4)) -> dict[str, float]:
    """Mean sentence BLEU-n for each n in orders, sharing one pass over the references: {"bleu2": .., ...}."""
    return _references(references, max(orders, default=1)).score(hypotheses, orders)


def random_token_baseline(n: int, length: int, vocab_size: int, seed: int) -> torch.LongTensor:
    """n sequences of `length` uniform token ids in 1..vocab_size−1 (id 0 is <unk>), from a seeded torch.Generator."""
    if vocab_size < 2:
        raise MetricError(f"a random token baseline needs a vocabulary of at least 2 ids (0 is <unk>), got {vocab_size}")
    return torch.randint(1, vocab_size, (n, length), generator=torch.Generator().manual_seed(seed), dtype=torch.long)
