"""AttnGAN's DAMSM matching losses (sentence and word level) and MirrorGAN's redescription loss.

Xu et al. 2018 (AttnGAN), §3.3, eq. 7–14: a batch of N (image, caption) pairs; each image is scored
against each caption, and a softmax over the batch asks every image to pick its own caption and
every caption its own image. Qiao et al. 2019 (MirrorGAN), §3.3: the caption cross-entropy of a
captioner that re-describes generated images.

Shapes: global image features img (N, D), sentence features sent (N, D); local image features
(N, D, h, w); word features (N, D, L) with lengths (N,); same (N, N) bool, True where captions i and j
are the same text (those pairs are not negatives). All losses are scalars, averaged over the batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.errors import DataError
from gankit.models.text_encoders import EOS, check_lengths, word_mask

Tensor = torch.Tensor
EPS = 1e-8  # the floor of a vector's norm in a cosine, as F.cosine_similarity's


def matching_loss(scores: Tensor, same: Tensor | None = None) -> Tensor:
    """−(1/N) Σ_i [log P(D_i|Q_i) + log P(Q_i|D_i)] from scores (N, N) = γ3·R(Q_i, D_j) (AttnGAN eq. 10–13).

    P(D_i|Q_i) = softmax_j(scores[i, j]) at j = i (image i picks its caption among the batch's), and
    P(Q_i|D_i) the same over the column. Entries with same[i, j] (i ≠ j) leave both softmaxes: a copy of
    one's own caption is no negative (AttnGAN masks pairs of the same class the same way).
    """
    n = scores.shape[0]
    if scores.shape != (n, n):
        raise DataError(f"matching scores must be N×N; got {tuple(scores.shape)}")
    if same is not None:
        if same.shape != (n, n):
            raise DataError(f"same must be N×N ({n}×{n}), True where two captions are identical; got {tuple(same.shape)}")
        off_diagonal = same.bool() & ~torch.eye(n, dtype=torch.bool, device=same.device)
        scores = scores.masked_fill(off_diagonal.to(scores.device), float("-inf"))
    labels = torch.arange(n, device=scores.device)
    return F.cross_entropy(scores, labels) + F.cross_entropy(scores.t(), labels)


def sentence_loss(img: Tensor, sent: Tensor, gamma3: float = 10.0, same: Tensor | None = None) -> Tensor:
    """DAMSM's sentence loss L1^s + L2^s: the matching loss of γ3·cos(v̄_i, ē_j), img and sent (N, D).

    R(Q, D) = cos(v̄, ē) (AttnGAN eq. 14), so scores[i, j] = γ3·cos(img_i, sent_j); see matching_loss.
    """
    if img.shape != sent.shape or img.dim() != 2:
        raise DataError(f"sentence_loss takes image and sentence features of the same shape N×D; got "
                        f"{tuple(img.shape)} and {tuple(sent.shape)}")
    cos = F.normalize(img.float(), dim=1, eps=EPS) @ F.normalize(sent.float(), dim=1, eps=EPS).t()
    return matching_loss(gamma3 * cos, same)


def word_scores(local: Tensor, words: Tensor, lengths: Tensor, gamma1: float = 4.0, gamma2: float = 5.0) -> Tensor:
    """R(Q_j, D_i) of every image j and caption i: (N_img, N_cap), AttnGAN eq. 7–9, all pairs at once.

    For image j (regions v_r, r < h·w) and caption i (words e_t, t < T_i): s_rt = e_tᵀ v_r;
    s̄_rt = softmax over the words t of s_rt (eq. 7); α_rt = softmax over the regions r of γ1·s̄_rt;
    c_t = Σ_r α_rt v_r (eq. 8); R(Q, D) = (1/γ2)·log Σ_t exp(γ2·cos(c_t, e_t)) (eq. 9; AttnGAN's code
    drops the 1/γ2). ‖c_t‖ comes from the regions' Gram matrix, so no (N, N, D, L) tensor is built.
    """
    n_img, d = local.shape[:2]
    n_cap, dw, width = words.shape
    if dw != d:
        raise DataError(f"word features have dimension {dw} but local image features {d}; use encoders of the same dim")
    v = local.float().flatten(2)  # (J, D, R)
    e = words.float()  # (I, D, L)
    mask = word_mask(lengths.to(e.device), width)  # (I, L)
    s = torch.einsum("jdr,idt->jirt", v, e)  # (J, I, R, L)
    s_bar = s.masked_fill(~mask[None, :, None, :], float("-inf")).softmax(dim=3)  # over the caption's words
    alpha = (gamma1 * s_bar).softmax(dim=2)  # over the regions
    dot = (alpha * s).sum(2)  # c_tᵀ e_t = Σ_r α_rt v_rᵀ e_t: (J, I, L)
    gram = torch.einsum("jdr,jds->jrs", v, v)  # (J, R, R)
    c_sq = (torch.einsum("jrs,jist->jirt", gram, alpha) * alpha).sum(2)  # ‖c_t‖² = αᵀ G α: (J, I, L)
    c_norm = c_sq.clamp_min(EPS * EPS).sqrt()
    e_norm = e.norm(dim=1).clamp_min(EPS)  # (I, L)
    cos = dot / (c_norm * e_norm[None])
    return torch.logsumexp((gamma2 * cos).masked_fill(~mask[None], float("-inf")), dim=2) / gamma2


def word_loss(local: Tensor, words: Tensor, lengths: Tensor, gamma1: float = 4.0, gamma2: float = 5.0,
              gamma3: float = 10.0, same: Tensor | None = None) -> Tensor:
    """DAMSM's word loss L1^w + L2^w (AttnGAN eq. 10–13 with R of eq. 9): local (N, D, h, w), words (N, D, L).

    scores[j, i] = γ3·R(image j, caption i) from word_scores; then the two-way matching loss of matching_loss.
    """
    if local.dim() != 4 or words.dim() != 3 or len(local) != len(words):
        raise DataError(f"word_loss takes local features N×D×h×w and word features N×D×L of one batch; got "
                        f"{tuple(local.shape)} and {tuple(words.shape)}")
    lengths = check_lengths(words[:, 0], lengths)
    return matching_loss(gamma3 * word_scores(local, words, lengths, gamma1, gamma2), same)


def caption_targets(ids: Tensor, lengths: Tensor) -> Tensor:
    """[ids..., EOS] per caption (N, L+1): the words, EOS at position lengths[n], −100 (ignored) after it."""
    lengths = check_lengths(ids, lengths).to(ids.device)
    padded = torch.cat([ids, ids.new_zeros(len(ids), 1)], dim=1)
    pos = torch.arange(padded.shape[1], device=ids.device)[None]
    targets = padded.masked_fill(pos == lengths[:, None], EOS)
    return targets.masked_fill(pos > lengths[:, None], -100)


def redescription_loss(logits: Tensor, ids: Tensor, lengths: Tensor) -> Tensor:
    """MirrorGAN's text-semantic reconstruction loss, −(1/Σ(T_n+1)) Σ_n Σ_{t≤T_n} log p(y_t | y_<t, image).

    logits (N, L+1, V) of a captioner reading [BOS, ids...] (teacher forcing); targets [ids..., EOS],
    padding ignored: the mean cross-entropy over the real words and each EOS (Qiao et al. 2019, §3.3, which sums).
    """
    targets = caption_targets(ids, lengths)
    if logits.shape[:2] != targets.shape:
        raise DataError(f"redescription logits must be N×(L+1)×V for ids N×L = {tuple(ids.shape)}; got {tuple(logits.shape)}")
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=-100)
