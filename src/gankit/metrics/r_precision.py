"""R-precision: does an image's own caption beat k mismatching ones in a text–image embedding space?

Xu et al. 2018 (AttnGAN), §5, and Zhu et al. 2019 (DM-GAN): embed each generated image and captions
with the DAMSM encoders; rank its true caption among k = 99 mismatching ones (random captions of the
evaluation set whose text differs) by cosine similarity; a hit when the true caption ranks first
(R = 1 relevant text among k + 1). The score is the share of hits per fold, mean ± std over folds
(DM-GAN's code: 10 folds, population std). Chance level is 1/(k + 1).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.metrics.base import MetricError, as_features

# Rows of candidate keys per block in mismatch_indices: N×(distinct texts) random keys at most 2**22 at a time
_KEY_BLOCK = 1 << 22


def r_precision(image_emb: torch.Tensor, text_emb: torch.Tensor, true_index: torch.Tensor,
                mismatch_index: torch.Tensor, folds: int = 10) -> tuple[float, float]:
    """(mean, std) over folds of the share of images whose true caption ranks first among k + 1.

    image_emb (N, D), text_emb (M, D); true_index (N,) the row of text_emb of each image's caption;
    mismatch_index (N, k) rows of mismatching captions (mismatch_indices). hit_n = cos(x_n, t_true) >
    max_k cos(x_n, t_k), strictly (a tie is a miss); images split into `folds` contiguous folds.
    """
    x = as_features(image_emb, "r_precision image_emb").double()
    t = as_features(text_emb, "r_precision text_emb").double()
    true_index, mismatch_index = torch.as_tensor(true_index).long().cpu(), torch.as_tensor(mismatch_index).long().cpu()
    n = len(x)
    if x.shape[1] != t.shape[1]:
        raise MetricError(f"r_precision: image embeddings have dimension {x.shape[1]} but text embeddings "
                          f"{t.shape[1]}; embed both with the same DAMSM encoders")
    if true_index.shape != (n,) or mismatch_index.dim() != 2 or len(mismatch_index) != n:
        raise MetricError(f"r_precision: for {n} images, true_index must be ({n},) and mismatch_index ({n}, k); "
                          f"got {tuple(true_index.shape)} and {tuple(mismatch_index.shape)}")
    rows = torch.cat([true_index[:, None], mismatch_index], dim=1)  # (N, k+1), the true caption first
    if rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= len(t)):
        raise MetricError(f"r_precision: caption rows must lie in 0..{len(t) - 1} (rows of text_emb)")
    if not 1 <= folds <= n:
        raise MetricError(f"r_precision: folds={folds} needs 1..{n} (one image per fold at least); lower folds")
    sims = torch.einsum("nd,nkd->nk", F.normalize(x, dim=1), F.normalize(t, dim=1)[rows])
    hits = (sims[:, 0] > sims[:, 1:].amax(1)) if rows.shape[1] > 1 else torch.ones(n, dtype=torch.bool)
    shares = torch.stack([h.double().mean() for h in torch.tensor_split(hits, folds)])
    return float(shares.mean()), float(shares.std(unbiased=False))


def mismatch_indices(caption_ids: torch.Tensor, candidates: torch.Tensor, k: int = 99,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """(N, k) rows of text_emb for each image: k distinct caption texts other than its own, one row of each.

    caption_ids (N,): an id per distinct caption text of each image; candidates (M,): the text id of each
    row of text_emb. Texts are drawn uniformly without replacement among those ≠ the image's own, then
    one row of each drawn text uniformly among that text's rows.
    """
    caption_ids = torch.as_tensor(caption_ids).long().cpu()
    candidates = torch.as_tensor(candidates).long().cpu()
    if caption_ids.dim() != 1 or candidates.dim() != 1 or not len(candidates):
        raise MetricError(f"mismatch_indices takes one text id per image (N,) and per text row (M ≥ 1,); got "
                          f"{tuple(caption_ids.shape)} and {tuple(candidates.shape)}")
    texts, counts = torch.unique(candidates, return_counts=True)  # sorted distinct text ids
    own = torch.searchsorted(texts, caption_ids).clamp_max(len(texts) - 1)
    has_own = texts[own] == caption_ids
    available = len(texts) - has_own.long()
    if len(caption_ids) and int(available.min()) < k:
        worst = int(available.argmin())
        raise MetricError(f"R-precision needs k={k} distinct mismatching captions per image, but image {worst} has only "
                          f"{int(available[worst])}; lower k or evaluate on a set with more distinct captions")
    picked = []
    rows_per_block = max(1, _KEY_BLOCK // max(1, len(texts)))
    for start in range(0, len(caption_ids), rows_per_block):
        block = slice(start, start + rows_per_block)
        keys = torch.rand(len(caption_ids[block]), len(texts), generator=generator)
        # the image's own text gets a key no draw beats; the k smallest keys are a uniform k-subset of the rest
        keys[has_own[block].nonzero()[:, 0], own[block][has_own[block]]] = 2.0
        picked.append(keys.topk(k, dim=1, largest=False).indices)
    chosen = torch.cat(picked) if picked else torch.zeros(0, k, dtype=torch.long)  # (N, k) indices into texts
    order = torch.argsort(candidates, stable=True)  # rows grouped by text, in the order of `texts`
    first = torch.cumsum(counts, 0) - counts
    offset = (torch.rand(chosen.shape, generator=generator) * counts[chosen]).long().clamp_max(counts[chosen] - 1)
    return order[first[chosen] + offset]
