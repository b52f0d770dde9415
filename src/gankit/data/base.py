"""The in-memory dataset every loader returns, and its deterministic batch sampler."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch

Kind = Literal["image", "points", "tokens"]


@dataclass
class ArrayDataset:
    """A whole dataset held in memory, with its class labels.

    x: images as uint8 N×C×H×W (0..255), 2-D points as float32 N×2 in data coordinates, or token
    ids as int64 N×L (music windows; meta["vocabulary"] names the ids).
    y: int64 labels of length N (0 everywhere when the source has no classes).
    class_names: one name per label value.
    meta: extra facts needed to sample or evaluate without the data (e.g. mode centres and std).
    captions: one caption per sample for text-to-image data (None elsewhere); kept out of info(),
    which a run folder stores, but part of the fingerprint.
    """

    x: torch.Tensor
    y: torch.Tensor
    class_names: list[str]
    kind: Kind
    name: str
    meta: dict[str, Any] = field(default_factory=dict)
    captions: list[str] | None = None

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y):
            raise ValueError(f"{self.name}: {len(self.x)} samples but {len(self.y)} labels")
        if self.captions is not None and len(self.captions) != len(self.x):
            raise ValueError(f"{self.name}: {len(self.x)} samples but {len(self.captions)} captions")
        if self.kind == "image" and (self.x.dtype != torch.uint8 or self.x.dim() != 4):
            raise ValueError(f"{self.name}: images must be uint8 N×C×H×W, got {self.x.dtype} {tuple(self.x.shape)}")
        if self.kind == "tokens" and (self.x.dtype != torch.int64 or self.x.dim() != 2):
            raise ValueError(f"{self.name}: tokens must be int64 N×L ids, got {self.x.dtype} {tuple(self.x.shape)}")

    def __len__(self) -> int:
        return len(self.x)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample: (C, H, W) for images, (2,) for points."""
        return tuple(self.x.shape[1:])

    def to_model_space(self, x: torch.Tensor) -> torch.Tensor:
        """Convert stored samples to what the networks see: images in [-1, 1], points unchanged."""
        if self.kind == "image":
            return x.float().div_(127.5).sub_(1.0)
        return x.float()

    def info(self) -> dict[str, Any]:
        """Everything a run folder stores so a model can be sampled without this dataset."""
        return {
            "name": self.name,
            "kind": self.kind,
            "shape": list(self.sample_shape),
            "class_names": list(self.class_names),
            "n": len(self),
            **self.meta,
        }

    def fingerprint(self) -> str:
        """A BLAKE2b digest of the samples and labels: the same data gives the same string, wherever it lives."""
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((self.kind, tuple(self.x.shape), str(self.x.dtype))).encode())
        for t in (self.x, self.y):
            h.update(memoryview(np.ascontiguousarray(t.numpy())).cast("B"))
        if self.captions is not None:
            h.update("\n".join(self.captions).encode())
        return h.hexdigest()


IDENTITY_KEYS = ("name", "kind", "shape", "class_names", "n")  # what data.json holds that a moved dataset keeps


def different_data(saved: dict[str, Any], data: ArrayDataset) -> str | None:
    """How `data` differs from the data facts a run saved (data.json), or None when it is the same data.

    Runs that saved a fingerprint are compared by content; older ones by name, kind, shape, classes and size.
    """
    now = {**data.info(), "fingerprint": data.fingerprint() if "fingerprint" in saved else None}
    for key in (*IDENTITY_KEYS, "fingerprint"):
        if key in saved and saved[key] != now[key]:
            if key == "fingerprint":
                return "the same size and classes, but other content"
            return f"{key} {now[key]!r}, the run's was {saved[key]!r}"
    return None
