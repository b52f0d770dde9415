"""Caption retrieval: a generator conditions on the training captions nearest a caption, not on the caption itself.

A generator trained on a few dozen distinct captions has learnt its conditioning on those points of the
sentence encoder's space alone; a phrasing it never saw lands between them, where the generator's layers
extrapolate freely ("a pair of flip-flops" drew sneakers, though MiniLM places it nearest "a pair of
sandals"). Retrieval replaces an embedding s by a blend of the remembered training embeddings m_i,

    r(s) = Σ_i softmax_i(cos(s, m_i) / τ) · m_i,

so a new phrasing draws what its nearest training captions draw, as KNN-Diffusion (Sheynin et al. 2022)
and retrieval-augmented diffusion (Blattmann et al. 2022) condition on CLIP neighbours. A training
caption retrieves itself (cos 1 against < 1 for the others, sharpened by a small τ). The price: a caption
is drawn as a blend of known ones, so new compositions are snapped to the nearest seen ones; keep it off
for compositional data such as shapes.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


class CaptionRetrieval(nn.Module):
    """s N×D -> Σ_i softmax_i(cos(s, m_i)/τ) m_i over the remembered embeddings m (K×D); identity while m is empty."""

    def __init__(self, dim: int, tau: float) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f"retrieval temperature must be > 0, got {tau}")
        self.tau = float(tau)
        self.register_buffer("memory", torch.zeros(0, dim))

    @torch.no_grad()
    def remember(self, embeddings: torch.Tensor) -> None:
        """Keep the training captions' embeddings (K×D), one row per distinct caption."""
        if embeddings.ndim != 2 or embeddings.shape[1] != self.memory.shape[1]:
            raise ValueError(f"expected K×{self.memory.shape[1]} caption embeddings, got {tuple(embeddings.shape)}")
        self.memory = embeddings.detach().to(self.memory.device, torch.float32).clone()

    def weights(self, s: torch.Tensor) -> torch.Tensor:
        """N×K: how much of each remembered caption each row of s takes."""
        with torch.autocast(s.device.type, enabled=False):  # cos/τ in bf16 would blur neighbours 0.01 apart
            sim = F.normalize(s.float(), dim=1) @ F.normalize(self.memory, dim=1).T
            return torch.softmax(sim / self.tau, dim=1)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        """The retrieved embeddings, N×D, in s's dtype."""
        if len(self.memory) == 0:
            return s
        return (self.weights(s) @ self.memory).to(s.dtype)

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any, **kwargs: Any) -> None:
        # the memory's length is the training set's count of captions, known only once a checkpoint is read
        saved = state_dict.get(prefix + "memory")
        if saved is not None and saved.shape != self.memory.shape:
            self.memory = torch.empty_like(saved, device=self.memory.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
