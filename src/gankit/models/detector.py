"""The CNN of CNNDetection (Wang et al. 2020) scaled to small images: a residual network that outputs one logit.

The paper fine-tunes an ImageNet ResNet-50 on 256-px crops. gankit's data is 28–128 px and nothing is
downloaded, so the same design is trained from scratch at the data's scale: a 3×3 stem, residual
stages of basic blocks (He et al. 2016) that halve the size and double the width, global average
pooling and a linear logit (larger means "more likely generated"). No pooling or stride in the stem: the up-sampling traces a detector looks
for live in the highest frequencies, which an early down-sampling would throw away.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class BasicBlock(nn.Module):
    """Two 3×3 convs with batch norm and a shortcut (a 1×1 conv when the size or width changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out))
        self.shortcut = (nn.Identity() if stride == 1 and c_in == c_out else
                         nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """ReLU(body(x) + shortcut(x))."""
        return torch.relu(self.body(x) + self.shortcut(x))


class DetectorCNN(nn.Module):
    """Images in [-1, 1], N×C×H×W -> one logit per image, N (larger: more likely generated)."""

    def __init__(self, channels: int, width: int = 32, stages: Sequence[int] = (1, 1, 1)) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width),
                                   nn.ReLU(inplace=True)]
        c = width
        for i, blocks in enumerate(stages):
            c_out = width * 2 ** i
            for j in range(blocks):
                layers.append(BasicBlock(c, c_out, 2 if i > 0 and j == 0 else 1))
                c = c_out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c, 1)
        self.config = {"channels": channels, "width": width, "stages": list(stages)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logit of each image."""
        return self.head(self.features(x).mean(dim=(2, 3))).squeeze(1)
