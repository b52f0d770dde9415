"""DF-GAN (Tao et al. 2022): one-stage text-to-image networks with deep text fusion.

G: noise -> 4×4 features -> up-blocks; each block fuses the condition c = [z, s] (noise and sentence
embedding) twice by affine modulation, h ← γ(c)·h + β(c), per channel, before each convolution.
D: down-blocks to 4×4 features, then a matching head that reads the features with the sentence
embedding tiled over them and gives one logit per (image, caption) pair. Larger means "real and
matching" (gankit's sign convention).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.models.retrieval import CaptionRetrieval


class Affine(nn.Module):
    """Channel-wise affine modulation γ(c)·h + β(c), with γ starting at 1 and β at 0 (DF-GAN §3.3)."""

    def __init__(self, cond_dim: int, channels: int, hidden: int = 128) -> None:
        super().__init__()
        self.gamma = nn.Sequential(nn.Linear(cond_dim, hidden), nn.ReLU(), nn.Linear(hidden, channels))
        self.beta = nn.Sequential(nn.Linear(cond_dim, hidden), nn.ReLU(), nn.Linear(hidden, channels))
        # the fusion starts as the identity, so early training is not dominated by random text scales
        nn.init.zeros_(self.gamma[2].weight)
        nn.init.ones_(self.gamma[2].bias)
        nn.init.zeros_(self.beta[2].weight)
        nn.init.zeros_(self.beta[2].bias)

    def forward(self, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """h N×C×H×W modulated by the condition c N×cond_dim."""
        return self.gamma(c)[:, :, None, None] * h + self.beta(c)[:, :, None, None]


class FusionBlock(nn.Module):
    """Two affine fusions, each followed by LeakyReLU: DF-GAN's deep fusion block."""

    def __init__(self, cond_dim: int, channels: int) -> None:
        super().__init__()
        self.a1, self.a2 = Affine(cond_dim, channels), Affine(cond_dim, channels)

    def forward(self, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Fuse c into h twice."""
        h = F.leaky_relu(self.a1(h, c), 0.2)
        return F.leaky_relu(self.a2(h, c), 0.2)


class UpBlock(nn.Module):
    """×2 nearest upsampling, then fuse -> conv -> fuse -> conv, with a (1×1) shortcut."""

    def __init__(self, cond_dim: int, c_in: int, c_out: int) -> None:
        super().__init__()
        self.fuse1, self.fuse2 = FusionBlock(cond_dim, c_in), FusionBlock(cond_dim, c_out)
        self.conv1, self.conv2 = nn.Conv2d(c_in, c_out, 3, 1, 1), nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """N×c_in×H×W -> N×c_out×2H×2W."""
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        r = self.conv2(self.fuse2(self.conv1(self.fuse1(h, c)), c))
        return self.shortcut(h) + r


def _widths(width: int, blocks: int) -> list[int]:
    """Channels from 4×4 up: width·8, ·8, ·4, ·2, ·1 … (as in DF-GAN), one per resolution."""
    mults = [8, 8, 4, 2, 1, 1, 1][: blocks + 1]
    return [width * m for m in mults]


def _blocks_for(size: int) -> int:
    """Up/down blocks between 4×4 and size×size (size a power of two ≥ 8)."""
    blocks = (size // 4).bit_length() - 1
    if 4 * 2**blocks != size or blocks < 1:
        raise ValueError(f"DF-GAN networks take square images of 8, 16, 32, 64 … px, not {size}")
    return blocks


class DFGenerator(nn.Module):
    """G(z, s) -> images N×channels×size×size, from noise z N×z_dim and sentence embeddings s N×text_dim.

    The output is linear, as in StyleGAN2, not DF-GAN's tanh: on images that are mostly black
    background (shapes, Fashion-MNIST), tanh saturated at −1 within tens of steps and G's gradient
    died. Pictures and metrics clamp to [-1, 1].
    """

    def __init__(self, z_dim: int, text_dim: int, width: int = 32, size: int = 32, channels: int = 3,
                 retrieve: float = 0.0, layout: bool = False) -> None:
        super().__init__()
        self.z_dim, self.text_dim, self.size, self.layout = z_dim, text_dim, size, layout
        # with retrieve = τ > 0, G draws from the training captions nearest s (models/retrieval.py)
        self.retrieval = CaptionRetrieval(text_dim, retrieve) if retrieve > 0 else None
        widths = _widths(width, _blocks_for(size))
        cond = z_dim + text_dim
        # layout: the first layer reads [z, s] (as StackGAN's and AttnGAN's do), so the caption can place and outline
        # the object in the 4×4 features; DF-GAN's reads z alone and the caption only scales channels after it
        self.fc = nn.Linear(cond if layout else z_dim, widths[0] * 16)
        self.blocks = nn.ModuleList(UpBlock(cond, a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.to_rgb = nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(widths[-1], channels, 3, 1, 1))

    def forward(self, z: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """Images for noise z and sentence embeddings s (one row each)."""
        if self.retrieval is not None:
            s = self.retrieval(s)
        c = torch.cat([z, s], dim=1)
        h = self.fc(c if self.layout else z).view(len(z), -1, 4, 4)
        for block in self.blocks:
            h = block(h, c)
        return self.to_rgb(h)


class DownBlock(nn.Module):
    """conv 4×4 stride 2 -> conv 3×3, a residual with a learned gain over a (1×1, average-pooled) shortcut."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.r = nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                               nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.LeakyReLU(0.2))
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        # DF-GAN starts this gain at 0; on 32 px shapes it stayed under 0.1 for 2000 steps, D stayed nearly linear
        # (1×1 convolutions and average pooling) and G drew coloured blobs. From 1 it is a plain residual block.
        self.gain = nn.Parameter(torch.ones(1))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """N×c_in×H×W -> N×c_out×H/2×W/2."""
        return F.avg_pool2d(self.shortcut(h), 2) + self.gain * self.r(h)


class DFDiscriminator(nn.Module):
    """D(x, s) -> logits N: features of x down to 4×4, then the matching head over [features, tiled s]."""

    def __init__(self, text_dim: int, width: int = 32, size: int = 32, channels: int = 3) -> None:
        super().__init__()
        widths = list(reversed(_widths(width, _blocks_for(size))))
        self.stem = nn.Conv2d(channels, widths[0], 3, 1, 1)
        self.blocks = nn.Sequential(*(DownBlock(a, b) for a, b in zip(widths[:-1], widths[1:])))
        top = widths[-1]
        self.head = nn.Sequential(nn.Conv2d(top + text_dim, top // 4 * 2, 3, 1, 1, bias=False), nn.LeakyReLU(0.2),
                                  nn.Conv2d(top // 4 * 2, 1, 4, 1, 0, bias=False))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Image features N×C×4×4 (computed once, judged against several captions)."""
        return self.blocks(self.stem(x))

    def judge(self, h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """Logits N for features h and sentence embeddings s."""
        tiled = s[:, :, None, None].expand(-1, -1, h.shape[2], h.shape[3])
        return self.head(torch.cat([h, tiled], dim=1)).view(-1)

    def forward(self, x: torch.Tensor, s: torch.Tensor,
                rejudge: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """Logits N for images x and sentence embeddings s.

        rejudge = (rows, s2): also the logits of the images x[rows] against s2 (len(rows) more, after the N),
        from the same features. The matching-aware game judges real images against their own and other
        captions; one pass through the image layers serves both, as in DF-GAN's code.
        """
        h = self.features(x)
        logits = self.judge(h, s)
        if rejudge is None:
            return logits
        rows, s2 = rejudge
        return torch.cat([logits, self.judge(h[rows], s2)])
