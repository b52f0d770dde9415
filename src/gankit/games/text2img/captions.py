"""Captions as the game sees them: the encoders' module, and the book of a dataset's distinct captions.

Two encoders (config `text.encoder`):
- damsm: AttnGAN's in-house text encoder (a bi-LSTM over the training vocabulary), trained in stage 1
  against an image encoder with the DAMSM losses; G and D condition on its sentence embedding.
- minilm: the pretrained all-MiniLM-L6-v2 sentence encoder, frozen; G and D condition on its
  embedding, and a linear map takes it to the image encoder's space for R-precision.
Either way stage 1 trains an image encoder, whose space R-precision ranks captions in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.data.captions.shapes import scene_key
from gankit.models.text_encoders import ImageEncoder, TextEncoder
from gankit.text.cache import cached_embeddings, embedding_index
from gankit.text.minilm import MINILM_DIM, MINILM_ID, load_minilm
from gankit.text.words import Vocabulary


class CaptionEncoders(nn.Module):
    """The image encoder, and the text encoder (damsm) or MiniLM's map into the shared space (minilm)."""

    def __init__(self, mode: str, vocab_size: int, channels: int, size: int, embed: int = 128, dim: int = 128) -> None:
        super().__init__()
        self.mode = mode
        self.image = ImageEncoder(channels=channels, size=size, dim=dim)
        self.text: nn.Module = TextEncoder(vocab_size, embed=embed, dim=dim) if mode == "damsm" else nn.Linear(MINILM_DIM, dim)

    def forward(self, images: torch.Tensor, ids: torch.Tensor | None, lengths: torch.Tensor | None,
                pretrained: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """(image regions N×dim×h×w, image N×dim, words N×dim×L or None, sentence N×dim): stage 1's one pass."""
        local, image = self.image(images)
        words, sentence = self.encode_text(ids, lengths, pretrained)
        return local, image, words, sentence

    def encode_text(self, ids: torch.Tensor | None, lengths: torch.Tensor | None,
                    pretrained: torch.Tensor | None) -> tuple[torch.Tensor | None, torch.Tensor]:
        """(word features N×dim×L or None, sentence features N×dim) in the shared image–text space."""
        if self.mode == "damsm":
            return self.text(ids, lengths)
        return None, self.text(pretrained)


def cond_dim(mode: str, dim: int) -> int:
    """The width of the sentence embedding G and D condition on."""
    return dim if mode == "damsm" else MINILM_DIM


def minilm_embeddings(texts: Sequence[str], device: torch.device, cache_dir: Path | None) -> torch.Tensor:
    """MiniLM embeddings of `texts` (len(texts)×384), from the per-dataset cache when it has them."""
    encoder = load_minilm(device)
    unique, table = cached_embeddings(list(texts), MINILM_ID, encoder.encode, cache_dir)
    return table[embedding_index(list(texts), unique)].to(device)


@dataclass
class CaptionBook:
    """A dataset's distinct captions: their token ids, groups, and (once known) sentence embeddings.

    rows: for each image, the row of its caption. groups: captions in one group describe the same
    thing (Fashion-MNIST: one class; shapes: one scene, whichever object the caption names first), so they
    are never used as each other's mismatches or negatives.
    """

    texts: list[str]
    rows: torch.Tensor
    groups: torch.Tensor
    ids: torch.Tensor
    lengths: torch.Tensor
    pretrained: torch.Tensor | None = None  # MiniLM's embeddings (encoder minilm)
    cond: torch.Tensor | None = None  # what G and D condition on, set when stage 2 starts (damsm) or at once (minilm)

    def same(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Whether caption rows a and b (broadcast) belong to one group."""
        return self.groups[a] == self.groups[b]


def meaning_ids(texts: Sequence[str], scenes: bool) -> torch.Tensor:
    """An id per text, shared by texts of one meaning: one scene on shapes ('A left of B' = 'B right of A'), else the text."""
    keys = [scene_key(t) for t in texts] if scenes else list(texts)
    index = {k: i for i, k in enumerate(sorted(set(keys)))}
    return torch.tensor([index[k] for k in keys], dtype=torch.long)


def caption_book(captions: Sequence[str], labels: torch.Tensor, facts: Mapping[str, Any], mode: str,
                 max_words: int, device: torch.device, cache_dir: Path | None) -> CaptionBook:
    """The book of a captioned dataset; Fashion-MNIST's captions are grouped by class, others by their text."""
    texts = sorted(set(captions))
    row_of = {t: i for i, t in enumerate(texts)}
    rows = torch.tensor([row_of[c] for c in captions], dtype=torch.long)
    if facts.get("captions") == "fashion":
        groups = torch.zeros(len(texts), dtype=torch.long)
        groups[rows] = labels.long()
    else:
        groups = meaning_ids(texts, scenes=facts.get("captions") == "shapes")
    ids, lengths = Vocabulary(facts["caption_vocabulary"]).encode(texts, max_words)
    book = CaptionBook(texts, rows, groups.to(device), ids.to(device), lengths.to(device))
    if mode == "minilm":
        book.pretrained = minilm_embeddings(texts, device, cache_dir)
        book.cond = book.pretrained
    return book


@torch.no_grad()
def embed_captions(texts: Sequence[str], encoders: CaptionEncoders, vocabulary: Sequence[str], max_words: int,
                   device: torch.device, cache_dir: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(what G and D condition on, sentence features in the shared space) for new captions, N rows each."""
    if encoders.mode == "damsm":
        ids, lengths = Vocabulary(list(vocabulary)).encode(list(texts), max_words)
        _, sentence = encoders.encode_text(ids.to(device), lengths.to(device), None)
        return sentence, sentence
    pretrained = minilm_embeddings(texts, device, cache_dir)
    return pretrained, encoders.encode_text(None, None, pretrained)[1]
