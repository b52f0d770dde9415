"""Style-modulated convolution, noise inputs and ToRGB (Karras et al. 2020, StyleGAN2, section 2.2).

Modulation scales the input channels of the weight by the style s (eq. 1): w'_ijk = s_i · w_ijk.
Demodulation rescales each output channel to unit norm (eq. 3): w''_ijk = w'_ijk / √(Σ_ik w'_ijk² + ε),
so for inputs of unit variance the outputs keep unit variance (eq. 2), without normalising the
activations themselves (no AdaIN, hence no "droplet" artefacts).

Two equal ways of computing it:
- fused: one weight per sample, applied with a grouped convolution (groups = N), as the paper
  describes in section 2.2;
- unfused: scale the activations by s, convolve with the shared weight, scale the outputs by the
  demodulation coefficients. It is the same linear map (the modulation and demodulation are
  per-sample diagonal scalings on either side of the convolution) and runs as one ordinary
  batched convolution, which is usually faster for training batches and friendly to channels_last.

Up-sampling (×2) is done as bilinear up-sampling followed by the modulated 3×3 convolution at the
higher resolution, instead of StyleGAN2's transposed convolution followed by a [1, 3, 3, 1] blur:
bilinear ×2 is that same filter applied to the zero-stuffed input, so the result differs only in
the order of filtering and convolution and at the image border; it needs no custom kernel.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gankit.nn.equalized import EqualLinear, upsample2x

NOISE_MODES = ("random", "const", "none")


class ModulatedConv2d(nn.Module):
    """A convolution whose weight is modulated per sample by an affine map of w (StyleGAN2 eq. 1–3).

    forward(x (N, C_in, H, W), w (N, w_dim)) -> (N, C_out, H, W), or (N, C_out, 2H, 2W) with `up`.
    The style s = A(w) comes from an equalised-lr dense layer whose bias starts at 1, so a new
    layer begins as an ordinary convolution. No bias and no activation here (see StyledConv).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, demodulate: bool = True,
                 up: bool = False, fused: bool = True, eps: float = 1e-8) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.demodulate, self.up, self.fused, self.eps = demodulate, up, fused, eps
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)  # equalised lr

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """Convolve x with the weight modulated (and demodulated) by the style of w."""
        n, c, h, wd = x.shape
        if c != self.in_channels:
            raise ValueError(f"ModulatedConv2d expects {self.in_channels} input channels, got {c}")
        if self.up:
            x = upsample2x(x)
            h, wd = 2 * h, 2 * wd
        styles = self.affine(w).float()  # (N, C_in); the (de)modulation maths stays in float32 under autocast
        weight = self.weight * self.weight_gain
        pad = self.kernel_size // 2
        if not self.fused:
            y = F.conv2d(x * styles.to(x.dtype)[:, :, None, None], weight.to(x.dtype), padding=pad)
            if self.demodulate:  # Σ_ik (s_i w_ijk)² = Σ_i s_i² Σ_k w_ijk²; elementwise, as autocast runs matmuls in bf16
                norms = (styles.square()[:, None, :] * weight.square().sum((2, 3))[None]).sum(2)  # (N, C_out)
                d = torch.rsqrt(norms + self.eps)
                y = y * d.to(y.dtype)[:, :, None, None]
            return y
        wm = weight[None] * styles[:, None, :, None, None]  # (N, C_out, C_in, k, k)
        if self.demodulate:
            wm = wm * torch.rsqrt(wm.square().sum((2, 3, 4), keepdim=True) + self.eps)
        wm = wm.reshape(n * self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        y = F.conv2d(x.reshape(1, n * c, h, wd), wm.to(x.dtype), padding=pad, groups=n)
        return y.reshape(n, self.out_channels, h, wd)

    def extra_repr(self) -> str:
        """The shape and options, as printed inside the module's repr."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"demodulate={self.demodulate}, up={self.up}, fused={self.fused}")


class NoiseInjection(nn.Module):
    """Add per-pixel Gaussian noise scaled by a learned per-channel strength (Karras et al. 2019, section 2).

    noise_mode: 'random' draws fresh N(0, 1) noise (one map per sample, shared by the channels);
    'const' uses a fixed map drawn at construction and saved with the weights, so sampling is
    deterministic; 'none' adds nothing. The strengths start at 0.
    """

    def __init__(self, channels: int, resolution: int) -> None:
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(channels))
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution))

    def forward(self, x: torch.Tensor, noise_mode: str = "random", noise: torch.Tensor | None = None) -> torch.Tensor:
        """x + strength · noise; an explicit `noise` (N or 1, 1, H, W) overrides `noise_mode`."""
        if noise is None:
            if noise_mode not in NOISE_MODES:
                raise ValueError(f"noise_mode must be one of {NOISE_MODES}, got {noise_mode!r}")
            if noise_mode == "none":
                return x
            if noise_mode == "const":
                noise = self.noise_const
            else:
                noise = torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device, dtype=x.dtype)
        return x + noise.to(x.dtype) * self.strength.to(x.dtype)[None, :, None, None]


class ToRGB(nn.Module):
    """A modulated 1×1 convolution to image channels, without demodulation, plus a bias (StyleGAN2 fig. 7)."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, fused: bool = True) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 1, w_dim, demodulate=False, fused=fused)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W), (N, w_dim) -> (N, out_channels, H, W), linear."""
        y = self.conv(x, w)
        return y + self.bias.to(y.dtype)[None, :, None, None]
