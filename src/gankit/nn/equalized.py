"""Equalised learning rate layers (Karras et al. 2018, "Progressive Growing of GANs", section 4.1).

A weight is stored as w ~ N(0, 1) / lr_mul and used as w · lr_mul / √fan_in, so every layer
starts with He-scaled effective weights while Adam's per-parameter step (invariant to the scale
of a parameter) moves all layers at the same relative speed. `lr_mul` < 1 slows a layer down
(StyleGAN's mapping network uses 0.01; Karras et al. 2019, appendix C). Biases are used as
b · lr_mul; they are stored as bias_init / lr_mul, so the effective initial bias is `bias_init`.

Also here: the fixed [1, 3, 3, 1] binomial filter used to resample by 2 (Karras et al. 2020,
StyleGAN2, section 2 and appendix B; Zhang 2019), shared by the generator and the discriminator.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

LRELU_GAIN = math.sqrt(2.0)  # keeps the second moment of a unit Gaussian through LeakyReLU(0.2) at ≈1


ACTIVATIONS = ("lrelu", "linear", None)


def check_activation(activation: str | None) -> str | None:
    """Refuse an activation name other than 'lrelu', 'linear' or None."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be 'lrelu', 'linear' or None, got {activation!r}")
    return activation


def activate(x: torch.Tensor, activation: str | None) -> torch.Tensor:
    """Apply 'lrelu' (LeakyReLU(0.2) × √2, He et al. 2015 gain) or nothing (None / 'linear')."""
    if check_activation(activation) == "lrelu":
        return F.leaky_relu(x, 0.2) * LRELU_GAIN
    return x


class EqualLinear(nn.Module):
    """A dense layer with equalised learning rate: y = act(x · (w·lr_mul/√fan_in)ᵀ + b·lr_mul)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, bias_init: float = 0.0,
                 lr_mul: float = 1.0, activation: str | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.lr_mul, self.activation = float(lr_mul), check_activation(activation)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init) / lr_mul)) if bias else None
        self.weight_gain = lr_mul / math.sqrt(in_features)

    def effective_weight(self) -> torch.Tensor:
        """The weight actually applied: stored × lr_mul / √fan_in."""
        return self.weight * self.weight_gain

    def effective_bias(self) -> torch.Tensor | None:
        """The bias actually applied: stored × lr_mul (None without bias)."""
        return None if self.bias is None else self.bias * self.lr_mul

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_features) -> (N, out_features)."""
        return activate(F.linear(x, self.effective_weight(), self.effective_bias()), self.activation)

    def extra_repr(self) -> str:
        """The shape and options, as printed inside the module's repr."""
        return f"{self.in_features}, {self.out_features}, lr_mul={self.lr_mul}, activation={self.activation}"


class EqualConv2d(nn.Module):
    """A stride-1 'same' convolution with equalised learning rate; `down=True` halves the size first.

    Down-sampling low-pass filters and subsamples ([1, 3, 3, 1] filter, stride 2) *before* the
    convolution, which then runs at the lower resolution: 4× cheaper than StyleGAN2's strided
    convolution of the blurred input, with the same anti-aliasing.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool = True,
                 lr_mul: float = 1.0, activation: str | None = None, down: bool = False) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.lr_mul, self.activation, self.down = float(lr_mul), check_activation(activation), down
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size) / lr_mul)
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = lr_mul / math.sqrt(in_channels * kernel_size * kernel_size)
        if down:  # made once and moved with the module: built in forward, it was a host-device sync per call
            self.register_buffer("blur_kernel", binomial_kernel(), persistent=False)

    def effective_weight(self) -> torch.Tensor:
        """The weight actually applied: stored × lr_mul / √(in·k·k)."""
        return self.weight * self.weight_gain

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, H, W), or (N, C_out, H/2, W/2) with `down`."""
        if self.down:
            x = downsample2x(x, self.blur_kernel)
        bias = None if self.bias is None else self.bias * self.lr_mul
        return activate(F.conv2d(x, self.effective_weight(), bias, padding=self.kernel_size // 2), self.activation)

    def extra_repr(self) -> str:
        """The shape and options, as printed inside the module's repr."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"activation={self.activation}, down={self.down}")


def binomial_kernel(device: torch.device | str | None = None) -> torch.Tensor:
    """The separable [1, 3, 3, 1]ᵀ[1, 3, 3, 1] / 64 filter as a (1, 1, 4, 4) float32 kernel."""
    k = torch.tensor([1.0, 3.0, 3.0, 1.0], device=device)
    return (torch.outer(k, k) / 64.0)[None, None]


def _depthwise(kernel: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return kernel.to(like.dtype).expand(like.shape[1], 1, 4, 4)


class _BlurDown(torch.autograd.Function):
    """The blur as a linear map whose backward is its adjoint, itself differentiable (R1's double backward)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        ctx.size, ctx.kernel = (x.shape[2], x.shape[3]), kernel
        return F.conv2d(x, _depthwise(kernel, x), stride=2, padding=1, groups=x.shape[1])

    @staticmethod
    def backward(ctx, g: torch.Tensor) -> tuple[torch.Tensor, None]:
        return _BlurDownAdjoint.apply(g, ctx.kernel, ctx.size), None


class _BlurDownAdjoint(torch.autograd.Function):
    """The adjoint of the blur (a transposed depthwise convolution); its backward is the blur again."""

    @staticmethod
    def forward(ctx, g: torch.Tensor, kernel: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        ctx.kernel = kernel
        pad = (size[0] - 2 * g.shape[2], size[1] - 2 * g.shape[3])  # 1 where an odd size lost its last row
        return F.conv_transpose2d(g, _depthwise(kernel, g), stride=2, padding=1, output_padding=pad, groups=g.shape[1])

    @staticmethod
    def backward(ctx, gg: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        return _BlurDown.apply(gg, ctx.kernel), None, None


def downsample2x(x: torch.Tensor, kernel: torch.Tensor | None = None) -> torch.Tensor:
    """Blur with [1, 3, 3, 1] and keep every second pixel: (N, C, H, W) -> (N, C, H/2, W/2), zero padding.

    A depthwise (groups = C) convolution. Its gradient and the gradient of that gradient are given
    explicitly (the blur is linear: each is the other's adjoint), because PyTorch's double backward
    of a grouped convolution runs one convolution per group: C kernel launches per layer in R1's
    step on a GPU (issue 23). StyleGAN2-ADA's upfirdn2d defines its gradients the same way.
    `kernel` is `binomial_kernel()` already on x's device; without it, one is made, which on a GPU
    is a copy from the host that waits for the device (EqualConv2d keeps one as a buffer).
    """
    return _BlurDown.apply(x, binomial_kernel(x.device) if kernel is None else kernel)


def upsample2x(x: torch.Tensor) -> torch.Tensor:
    """Double the size with bilinear interpolation (N, C, H, W) -> (N, C, 2H, 2W).

    Bilinear ×2 equals zero insertion followed by the [1, 3, 3, 1] filter (gain 4) that StyleGAN2
    uses, except at the border, where it repeats the edge pixel instead of padding with zeros.
    """
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
