"""Class conditioning: how G receives a class descriptor and how D judges (sample, class) pairs.

A descriptor `c` is either integer labels (N,) or class-weight vectors (N, K). Integer labels
become one-hot rows, so every conditional network is linear in the one-hot code: a weight vector
such as "Sneaker − Sandal + Ankle boot" or a blend of two classes is a valid descriptor, which is
what latent arithmetic and class interpolation use (`gankit.latent`).

Generator modes (`model.cond_g`):
  concat      the one-hot code is concatenated to z (Mirza & Osindero 2014, section 4.1)
  embed       a learned embedding of the class is concatenated to z
  cbn         conditional batch norm: each BatchNorm's gain and bias depend on the class
              (de Vries et al. 2017; Miyato & Koyama 2018, section 4)
Discriminator modes (`model.cond_d`):
  concat      one-hot code as extra inputs (constant feature maps for images; Mirza & Osindero 2014)
  embed       a learned embedding as extra inputs (one feature map for images)
  projection  logit = ψ(φ(x)) + ⟨embed(y), φ(x)⟩ (Miyato & Koyama 2018, eq. 3)
  acgan       D also predicts the class with an auxiliary head (Odena et al. 2017); the class
              is not an input of D, the auxiliary cross-entropy enters both losses (see phases)
  projection_acgan
              both: the projection logit, and AC-GAN's auxiliary classifier on the same pooled
              features, whose cross-entropy G also minimises: a direct push towards samples that
              read as their class, while the projection keeps judging (sample, class) pairs
"""

from __future__ import annotations

import torch
from torch import nn

G_MODES = ("none", "concat", "embed", "cbn")
D_MODES = ("none", "concat", "embed", "projection", "acgan", "projection_acgan")
HEAD_MODES = ("projection", "acgan", "projection_acgan")
PROJECTING = ("projection", "projection_acgan")
CLASSIFYING = ("acgan", "projection_acgan")


def class_code(c: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Labels (N,) -> one-hot (N, K) floats; class-weight vectors (N, K) pass through unchanged."""
    if c.dtype in (torch.int64, torch.int32, torch.int16, torch.uint8):
        if c.dim() != 1:
            raise ValueError(f"integer class labels must have shape (N,), got {tuple(c.shape)}")
        if len(c) and (int(c.min()) < 0 or int(c.max()) >= num_classes):
            raise ValueError(f"class labels must lie in [0, {num_classes - 1}], got {int(c.min())}..{int(c.max())}")
        return nn.functional.one_hot(c.long(), num_classes).float()
    if c.dim() != 2 or c.shape[1] != num_classes:
        raise ValueError(f"class-weight vectors must have shape (N, {num_classes}), got {tuple(c.shape)}")
    return c.float()


def require_descriptor(c: torch.Tensor | None, n: int, who: str) -> torch.Tensor:
    """Refuse a missing or mis-sized descriptor on a conditional network."""
    if c is None:
        raise ValueError(f"{who} is conditional: pass class labels c (N,) or class weights (N, K)")
    if len(c) != n:
        raise ValueError(f"{who}: {n} samples but {len(c)} class descriptors")
    return c


class LabelCode(nn.Module):
    """A class descriptor as a vector: the one-hot code ('concat') or a learned embedding ('embed').

    The embedding is a bias-free linear map of the one-hot code, i.e. an embedding table that also
    accepts class-weight vectors. Its rows start at N(0, 1), like nn.Embedding.
    """

    def __init__(self, kind: str, num_classes: int, dim: int) -> None:
        super().__init__()
        if kind not in ("concat", "embed"):
            raise ValueError(f"LabelCode kind must be 'concat' or 'embed', got {kind!r}")
        self.kind, self.num_classes = kind, num_classes
        self.dim = num_classes if kind == "concat" else dim
        if kind == "embed":
            self.table = nn.Linear(num_classes, dim, bias=False)
        self.reset_conditioning()

    def reset_conditioning(self) -> None:
        """Embedding rows ~ N(0, 1), as nn.Embedding starts."""
        if self.kind == "embed":
            nn.init.normal_(self.table.weight)

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        """(N,) labels or (N, K) weights -> (N, dim)."""
        code = class_code(c, self.num_classes)
        return code if self.kind == "concat" else self.table(code)


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm without its own affine part, then a class-dependent gain and bias.

    γ(y) = 1 + W_γ·onehot(y), β(y) = W_β·onehot(y), both starting at the identity (W = 0), so a new
    conditional G begins as the unconditional one (de Vries et al. 2017, eq. 2-3).
    """

    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        self.gain = nn.Linear(num_classes, num_features, bias=False)
        self.bias = nn.Linear(num_classes, num_features, bias=False)
        self.reset_conditioning()

    def reset_conditioning(self) -> None:
        """W_γ = W_β = 0: the identity transform."""
        nn.init.zeros_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Normalise x (N, C, H, W), then scale and shift it per sample by its class."""
        code = class_code(c, self.num_classes).to(x.dtype)
        gamma = 1 + self.gain(code)
        return self.bn(x) * gamma[:, :, None, None] + self.bias(code)[:, :, None, None]


class CondSequential(nn.Sequential):
    """nn.Sequential that hands the class descriptor to the layers that take one (conditional BN)."""

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        """Apply each layer; ConditionalBatchNorm2d layers also get `c`."""
        for layer in self:
            x = layer(x, c) if isinstance(layer, ConditionalBatchNorm2d) else layer(x)
        return x


class DiscriminatorHead(nn.Module):
    """The class-aware part of D on top of its pooled features: projection, an auxiliary classifier, or both.

    `features` is the size of φ(x) as the head sees it (flattened for the auxiliary classifier,
    summed over space for the projection, as in Miyato & Koyama 2018; with both, the summed
    features feed both).
    """

    def __init__(self, mode: str, num_classes: int, features: int) -> None:
        super().__init__()
        if mode not in HEAD_MODES:
            raise ValueError(f"DiscriminatorHead mode must be one of {', '.join(HEAD_MODES)}, got {mode!r}")
        self.mode, self.num_classes = mode, num_classes
        if mode in PROJECTING:
            self.embed = nn.Linear(num_classes, features, bias=False)
        if mode in CLASSIFYING:
            self.classifier = nn.Linear(features, num_classes)
        self.reset_conditioning()

    def reset_conditioning(self) -> None:
        """Projection rows ~ N(0, 1/features); the auxiliary classifier keeps PyTorch's default init."""
        if self.mode in PROJECTING:
            nn.init.normal_(self.embed.weight, std=self.embed.weight.shape[0] ** -0.5)
        if self.mode in CLASSIFYING:
            self.classifier.reset_parameters()

    def projection(self, pooled: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """⟨embed(y), φ(x)⟩ per sample (N,)."""
        return (self.embed(class_code(c, self.num_classes).to(pooled.dtype)) * pooled).sum(1)

    def classify(self, flat: torch.Tensor) -> torch.Tensor:
        """Auxiliary class logits (N, K)."""
        return self.classifier(flat)


class JudgeWithAux(nn.Module):
    """Base of the discriminators: `forward` gives logits, or with aux=True the pair of `forward_aux`.

    Subclasses implement forward_aux(x, c) -> (logits (N,), AC-GAN class logits (N, K) or None) and set
    `cond`. The flag lets a DistributedDataParallel wrapper run the auxiliary head too (DDP calls forward).
    """

    cond = "none"

    @property
    def has_aux(self) -> bool:
        """Whether D also classifies its input (AC-GAN, alone or beside the projection)."""
        return self.cond in CLASSIFYING

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None, aux: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor | None]:
        """Raw logits (N,), larger means more real; with aux=True the pair of `forward_aux`."""
        out = self.forward_aux(x, c)
        return out if aux else out[0]

    def forward_aux(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits, auxiliary class logits or None)."""
        raise NotImplementedError
