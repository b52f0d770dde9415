"""LPIPS (Zhang et al. 2018) on VGG16, for weights the user supplies (nothing is downloaded).

d(x, y) = Σ_l mean_{h,w} ‖w_l ⊙ (φ̂_l(x) − φ̂_l(y))‖², where φ̂_l are the unit-normalised (over channels)
activations of VGG16 after relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3, and w_l are LPIPS's learned
per-channel weights. Inputs in [-1, 1] are shifted and scaled as LPIPS does before VGG.

Weights: one file (.pth or .safetensors) holding torchvision's `vgg16().features` tensors under
`features.*` and LPIPS v0.1's linear layers under `lin{0..4}.model.1.weight` (the layout of the
`lpips` package's vgg.pth merged with torchvision's vgg16 weights).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from gankit.metrics.base import MetricError

# (out channels per conv of VGG16's features, 'M' = max-pool) and the taps after each block's last ReLU
_VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]
_TAPS = (3, 8, 15, 22, 29)  # indices in torchvision's vgg16().features of relu1_2 .. relu5_3
_CHANNELS = (64, 128, 256, 512, 512)
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)


class _Lin(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(channels, 1, 1, bias=False))


class LPIPS(nn.Module):
    """Learned perceptual distance on VGG16 (Zhang et al. 2018, eq. 1)."""

    name = "lpips-vgg16"

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 3
        for v in _VGG16:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c_in, v, 3, padding=1), nn.ReLU(inplace=False)]
                c_in = v
        self.features = nn.Sequential(*layers)
        for i, c in enumerate(_CHANNELS):
            self.add_module(f"lin{i}", _Lin(c))
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1))
        self.eval().requires_grad_(False)

    def _taps(self, x: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in _TAPS:
                out.append(x / (x.pow(2).sum(1, keepdim=True).sqrt() + 1e-10))
            if i == _TAPS[-1]:
                break
        return out

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Distances (N,) between images in [-1, 1] (gray is repeated to RGB)."""
        if x.shape[1] == 1:
            x, y = x.expand(-1, 3, -1, -1), y.expand(-1, 3, -1, -1)
        fx, fy = self._taps((x - self.shift) / self.scale), self._taps((y - self.shift) / self.scale)
        total = 0
        for i, (a, b) in enumerate(zip(fx, fy)):
            total = total + getattr(self, f"lin{i}").model((a - b) ** 2).mean((2, 3))
        return total.flatten()


def load_lpips(path: str | os.PathLike) -> LPIPS:
    """LPIPS with the user's weights file (see the module docstring for its layout)."""
    path = Path(path)
    if not path.is_file():
        raise MetricError(f"LPIPS weights {path} not found; gankit downloads nothing, so supply the file "
                          "(torchvision vgg16 'features.*' + lpips v0.1 'lin*.model.1.weight' tensors)")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file  # lazy: loaded only when weights are read, so `import gankit.metrics` stays light

        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    model = LPIPS()
    wanted = {k for k in model.state_dict() if k not in ("shift", "scale")}
    missing = sorted(wanted - set(state))
    if missing:
        raise MetricError(f"{path} lacks {len(missing)} LPIPS tensor(s), e.g. {', '.join(missing[:3])}")
    model.load_state_dict({k: state[k] for k in wanted}, strict=False)
    return model
