"""StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN") in plain PyTorch.

Generator: a mapping network z -> w (8 equalised-lr dense layers, lr_mul 0.01; Karras et al. 2019,
section 2) broadcast to `num_ws` per-layer copies, then a synthesis network from a learned 4×4
constant, with two modulated 3×3 convolutions per resolution (StyleGAN2 section 2.2), noise
inputs, and the "skip" output architecture: a ToRGB at every resolution, summed with the
up-sampled image of the previous one (StyleGAN2 section 4.1, fig. 7b). Discriminator: the
"residual" architecture (fig. 7c): FromRGB at full resolution, residual blocks down to 4×4 whose
sum with a 1×1 skip is scaled by 1/√2, then minibatch standard deviation, a 3×3 conv and two
dense layers to one logit. Every layer uses the equalised learning rate (gankit.nn.equalized).

Widths, like StyleGAN2's automatic config: channels at resolution r = min(channel_max, channel_base / r)
with channel_base = 128·width and channel_max = 4·width (`width` = model.g_width or model.d_width).
width = 128 gives channel_base 16384 and channel_max 512, StyleGAN2-ADA's 'cifar' (32 px) and
'paper256' configurations; width = 16 (64 channels, about 0.34 M parameters per network at 32 px)
trains on a CPU. The style size w_dim defaults to channel_max.

Departures from the paper, all documented where they are made:
- G ends in tanh (`tanh_output=True`), so images lie in [-1, 1] like every gankit family and the
  data; the paper's output is linear. Pass tanh_output=False for the paper's behaviour.
- Resampling: bilinear ×2 before the up-sampling convolution, [1, 3, 3, 1] blur + stride 2 before
  the down-sampling one (see gankit.nn.modulated and gankit.nn.equalized).
- Noise strength is per channel (StyleGAN, Karras et al. 2019, section 2) rather than one scalar.
- The modulated convolutions run unfused by default (`fused_modconv=False`: activations scaled
  by the style, one batched convolution, outputs scaled by the demodulation), the same linear map
  as the paper's grouped convolution but faster on a CPU for training batches;
  `fused_modconv=True` uses the grouped convolution.
- `noise_mode=None` means 'random' in training mode and 'const' in eval mode, so sampling from an
  eval-mode (e.g. EMA) generator is deterministic and draws nothing from the global RNG.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.models.conditioning import DiscriminatorHead, JudgeWithAux, LabelCode, require_descriptor
from gankit.nn.equalized import EqualConv2d, EqualLinear, activate, upsample2x
from gankit.nn.layers import MinibatchStd
from gankit.nn.modulated import ModulatedConv2d, NoiseInjection, ToRGB

RESOLUTIONS = (32, 64, 128, 256)
G_CONDS = ("none", "embed")
D_CONDS = ("none", "projection")


def channels_at(resolution: int, width: int) -> int:
    """Feature maps at a resolution: min(4·width, 128·width / resolution), StyleGAN2's auto config rule."""
    return max(1, min(4 * width, 128 * width // resolution))


def check_resolution(resolution: int) -> int:
    """Return log2(resolution), refusing anything but a power of two between 32 and 256."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"StyleGAN2 resolution must be a power of two between 32 and 256 "
                         f"({', '.join(map(str, RESOLUTIONS))}), got {resolution}; set data.size to one of them")
    return int(math.log2(resolution))


def normalize_2nd_moment(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Pixel norm: x / √(mean(x²) + ε) over the feature axis (Karras et al. 2018, section 4.2)."""
    return x * torch.rsqrt(x.square().mean(1, keepdim=True) + eps)


class MappingNetwork(nn.Module):
    """z (and a class) -> w, broadcast to (N, num_ws, w_dim); tracks w_avg for truncation (Karras et al. 2019, §2).

    cond='embed': a learned class embedding, normalised like z, is concatenated to the normalised z
    (as StyleGAN2-ADA's conditional mapping). w_avg ← β·w_avg + (1 − β)·mean(w) on every training-mode
    call (β = 0.995), the running mean of w used by the truncation trick.
    """

    def __init__(self, z_dim: int, w_dim: int, num_ws: int, depth: int = 8, num_classes: int = 0,
                 cond: str = "none", embed_dim: int = 32, lr_mul: float = 0.01, w_avg_beta: float = 0.995) -> None:
        super().__init__()
        if cond not in G_CONDS:
            raise ValueError(f"StyleGAN2's generator takes model.cond_g in {G_CONDS}, got {cond!r} "
                             "(the class enters the mapping network through a learned embedding)")
        self.z_dim, self.w_dim, self.num_ws = z_dim, w_dim, num_ws
        self.cond, self.num_classes, self.w_avg_beta = cond, num_classes if cond != "none" else 0, w_avg_beta
        in_dim = z_dim
        if cond == "embed":
            self.label = LabelCode("embed", num_classes, embed_dim)
            in_dim += embed_dim
        dims = [in_dim] + [w_dim] * depth
        self.layers = nn.Sequential(*[EqualLinear(a, b, lr_mul=lr_mul, activation="lrelu")
                                      for a, b in zip(dims[:-1], dims[1:])])
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None, truncation_psi: float = 1.0,
                truncation_cutoff: int | None = None, update_w_avg: bool | None = None) -> torch.Tensor:
        """(N, z_dim) -> ws (N, num_ws, w_dim); truncation w' = w_avg + ψ(w − w_avg) on layers < cutoff."""
        x = normalize_2nd_moment(z.float())
        if self.num_classes:
            code = self.label(require_descriptor(c, len(z), "this generator"))
            x = torch.cat([x, normalize_2nd_moment(code.float())], 1)
        w = self.layers(x)
        if self.training if update_w_avg is None else update_w_avg:
            with torch.no_grad():
                self.w_avg.copy_(w.detach().float().mean(0).lerp(self.w_avg, self.w_avg_beta))
        ws = w.unsqueeze(1).repeat(1, self.num_ws, 1)
        if truncation_psi != 1.0:
            cutoff = self.num_ws if truncation_cutoff is None else truncation_cutoff
            below = (torch.arange(self.num_ws, device=ws.device) < cutoff)[None, :, None]
            ws = torch.where(below, self.w_avg.to(ws.dtype).lerp(ws, truncation_psi), ws)
        return ws


class StyledConv(nn.Module):
    """One synthesis layer: modulated 3×3 conv, noise, bias, LeakyReLU(0.2)·√2 (StyleGAN2 fig. 2c)."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: bool = False,
                 fused: bool = False) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim, up=up, fused=fused)
        self.noise = NoiseInjection(out_channels, resolution)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        """(N, C_in, H, W), (N, w_dim) -> (N, C_out, H', W')."""
        x = self.noise(self.conv(x, w), noise_mode)
        return activate(x + self.bias.to(x.dtype)[None, :, None, None], "lrelu")


class SynthesisBlock(nn.Module):
    """One resolution of the skip generator: [up-sampling conv,] conv, ToRGB added to the up-sampled image."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, img_channels: int,
                 fused: bool = False) -> None:
        super().__init__()
        self.resolution = resolution
        self.conv0 = StyledConv(in_channels, out_channels, w_dim, resolution, up=True, fused=fused) \
            if resolution > 4 else None
        self.conv1 = StyledConv(out_channels, out_channels, w_dim, resolution, fused=fused)
        self.torgb = ToRGB(out_channels, img_channels, w_dim, fused=fused)
        self.num_ws = 2 if self.conv0 is None else 3  # the ToRGB's w is also the next block's first

    def forward(self, x: torch.Tensor, img: torch.Tensor | None, ws: torch.Tensor,
                noise_mode: str = "random") -> tuple[torch.Tensor, torch.Tensor]:
        """(features, image so far or None, this block's ws (N, num_ws, w_dim)) -> (features, image)."""
        it = iter(ws.unbind(1))
        if self.conv0 is not None:
            x = self.conv0(x, next(it), noise_mode)
        x = self.conv1(x, next(it), noise_mode)
        rgb = self.torgb(x, next(it)).float()  # the image is accumulated in float32 under autocast
        return x, rgb if img is None else upsample2x(img) + rgb


class SynthesisNetwork(nn.Module):
    """ws (N, num_ws, w_dim) -> image (N, C, R, R), from a learned 4×4 constant (StyleGAN2 section 4.1, skip G)."""

    def __init__(self, w_dim: int, resolution: int, img_channels: int, width: int, fused: bool = False,
                 tanh_output: bool = True) -> None:
        super().__init__()
        log2 = check_resolution(resolution)
        self.w_dim, self.resolution, self.img_channels = w_dim, resolution, img_channels
        self.tanh_output = tanh_output
        resolutions = [2**k for k in range(2, log2 + 1)]
        self.const = nn.Parameter(torch.randn(channels_at(4, width), 4, 4))
        self.blocks = nn.ModuleList()
        prev = channels_at(4, width)
        for r in resolutions:
            self.blocks.append(SynthesisBlock(prev, channels_at(r, width), w_dim, r, img_channels, fused))
            prev = channels_at(r, width)
        self.num_ws = 2 * log2 - 2

    def forward(self, ws: torch.Tensor, noise_mode: str | None = None) -> torch.Tensor:
        """Render images from per-layer styles; noise_mode 'random' | 'const' | 'none' (None: by train/eval mode)."""
        noise_mode = noise_mode or ("random" if self.training else "const")
        if ws.dim() != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(f"synthesis expects ws of shape (N, {self.num_ws}, {self.w_dim}), got {tuple(ws.shape)}")
        x = self.const[None].expand(ws.shape[0], -1, -1, -1)
        img, start = None, 0
        for block in self.blocks:
            x, img = block(x, img, ws[:, start:start + block.num_ws], noise_mode)
            start += block.num_ws - 1
        return torch.tanh(img) if self.tanh_output else img


class StyleGAN2Generator(nn.Module):
    """G(z, c) -> images (N, C, R, R) in [-1, 1]: mapping network then skip synthesis network (Karras et al. 2020).

    `mapping(z, c, truncation_psi, truncation_cutoff)` -> ws (N, num_ws, w_dim);
    `synthesis(ws, noise_mode)` -> images; `mix_ws(ws, ws2, cutoff)` does style mixing.
    """

    def __init__(self, z_dim: int, out_shape: tuple[int, int, int], width: int = 16, mapping_depth: int = 8,
                 w_dim: int | None = None, num_classes: int = 0, cond: str = "none", embed_dim: int = 32,
                 mapping_lr_mul: float = 0.01, w_avg_beta: float = 0.995, tanh_output: bool = True,
                 fused_modconv: bool = False) -> None:
        super().__init__()
        if len(out_shape) != 3 or out_shape[1] != out_shape[2]:
            raise ValueError(f"StyleGAN2 needs square images C×R×R, got shape {tuple(out_shape)}")
        if out_shape[0] not in (1, 3):
            raise ValueError(f"StyleGAN2 makes gray (1) or RGB (3) images, got {out_shape[0]} channels")
        check_resolution(out_shape[1])
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        self.w_dim = w_dim or 4 * width
        self.synthesis = SynthesisNetwork(self.w_dim, out_shape[1], out_shape[0], width, fused_modconv, tanh_output)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(z_dim, self.w_dim, self.num_ws, mapping_depth, num_classes, cond, embed_dim,
                                      mapping_lr_mul, w_avg_beta)
        self.cond, self.num_classes = cond, self.mapping.num_classes

    @property
    def w_avg(self) -> torch.Tensor:
        """The running mean of w (w_dim,), the centre of the truncation trick."""
        return self.mapping.w_avg

    def mix_ws(self, ws: torch.Tensor, ws2: torch.Tensor, cutoff: int | torch.Tensor) -> torch.Tensor:
        """Style mixing (StyleGAN, Karras et al. 2019, section 3.1): layers < cutoff from ws, the rest from ws2.

        `cutoff` is one int for the batch or a tensor (N,) with one cutoff per sample.
        """
        layer = torch.arange(self.num_ws, device=ws.device)
        cutoff = torch.as_tensor(cutoff, device=ws.device)
        keep = layer[None, :] < cutoff.reshape(-1, 1)  # (1 or N, num_ws)
        return torch.where(keep[:, :, None], ws, ws2)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None, truncation_psi: float = 1.0,
                truncation_cutoff: int | None = None, mix_z: torch.Tensor | None = None,
                mix_cutoff: int | torch.Tensor | None = None, noise_mode: str | None = None,
                return_ws: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Map noise (N, z_dim) and, when conditional, classes to images (N, C, R, R).

        mix_z with mix_cutoff: the layers ≥ cutoff take their styles from mix_z (same class c).
        noise_mode None: 'random' in training mode, 'const' in eval mode. return_ws=True returns
        (images, ws), so the path-length regulariser can differentiate the images w.r.t. the styles
        through one call (which a DistributedDataParallel wrapper can make).
        """
        ws = self.mapping(z, c, truncation_psi, truncation_cutoff)
        if mix_z is not None:
            if mix_cutoff is None:
                raise ValueError("style mixing needs mix_cutoff (the first layer that takes mix_z's styles)")
            ws = self.mix_ws(ws, self.mapping(mix_z, c, truncation_psi, truncation_cutoff), mix_cutoff)
        images = self.synthesis(ws, noise_mode)
        return (images, ws) if return_ws else images


class DiscriminatorBlock(nn.Module):
    """Residual block (StyleGAN2 fig. 7c): (skip 1×1↓(x) + conv3×3↓(conv3×3(x))) / √2, half the size."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = EqualConv2d(in_channels, in_channels, 3, activation="lrelu")
        self.conv1 = EqualConv2d(in_channels, out_channels, 3, activation="lrelu", down=True)
        self.skip = EqualConv2d(in_channels, out_channels, 1, bias=False, down=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, H/2, W/2)."""
        return (self.skip(x) + self.conv1(self.conv0(x))) * (1 / math.sqrt(2))


class StyleGAN2Discriminator(JudgeWithAux):
    """D(x, c) -> logits (N,): residual StyleGAN2 discriminator; cond 'none' or 'projection' (Miyato & Koyama 2018)."""

    def __init__(self, in_shape: tuple[int, int, int], width: int = 16, mbstd_group_size: int = 4,
                 num_classes: int = 0, cond: str = "none") -> None:
        super().__init__()
        if cond not in D_CONDS:
            raise ValueError(f"StyleGAN2's discriminator takes model.cond_d in {D_CONDS}, got {cond!r}")
        if len(in_shape) != 3 or in_shape[1] != in_shape[2]:
            raise ValueError(f"StyleGAN2 needs square images C×R×R, got shape {tuple(in_shape)}")
        log2 = check_resolution(in_shape[1])
        self.in_shape = tuple(in_shape)
        self.cond, self.num_classes = cond, num_classes if cond != "none" else 0
        resolution = in_shape[1]
        self.from_rgb = EqualConv2d(in_shape[0], channels_at(resolution, width), 1, activation="lrelu")
        self.blocks = nn.Sequential(*[DiscriminatorBlock(channels_at(2**k, width), channels_at(2**(k - 1), width))
                                      for k in range(log2, 2, -1)])
        c4 = channels_at(4, width)
        self.mbstd = MinibatchStd(mbstd_group_size) if mbstd_group_size else None  # Karras et al. 2018, §3
        self.conv = EqualConv2d(c4 + int(self.mbstd is not None), c4, 3, activation="lrelu")
        self.fc = EqualLinear(c4 * 16, c4, activation="lrelu")
        self.out = EqualLinear(c4, 1)
        if cond == "projection":
            self.head = DiscriminatorHead("projection", num_classes, c4)

    def forward_aux(self, x: torch.Tensor, c: torch.Tensor | None = None) -> tuple[torch.Tensor, None]:
        """(logits (N,), None): the uniform D protocol; StyleGAN2 has no auxiliary classifier."""
        if self.cond == "projection":
            c = require_descriptor(c, len(x), "this discriminator")
        h = self.blocks(self.from_rgb(x))
        if self.mbstd is not None:
            h = self.mbstd(h)
        h = self.fc(self.conv(h).flatten(1))  # φ(x), (N, c4)
        out = self.out(h).flatten()
        if self.cond == "projection":
            out = out + self.head.projection(h, c)
        return out, None
