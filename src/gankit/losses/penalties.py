"""Gradient penalties on the discriminator, as functions of a D callable and input tensors.

Each returns the *unweighted* penalty (a scalar); the caller multiplies by its weight. D maps a
batch to raw logits (N,). Inputs of any shape (N, ...) are supported; gradients are taken with
create_graph=True so the penalty itself can be minimised.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor
Critic = Callable[[Tensor], Tensor]


def _full(t: Tensor) -> Tensor:
    """Upcast half-precision tensors to float32; leave float32/float64 alone."""
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def input_gradient(D: Critic, x: Tensor) -> tuple[Tensor, Tensor]:
    """(D(x), ∂ΣD(x)/∂x), the gradient kept in the graph; x is detached and made a leaf first."""
    x = x.detach().requires_grad_(True)
    out = D(x)
    (grad,) = torch.autograd.grad(_full(out).sum(), x, create_graph=True)
    return out, grad


def _sq_norm(grad: Tensor, n_out: int) -> Tensor:
    """‖∇‖² per D output: one row per sample, or per packed group when D judges several samples at once."""
    return _full(grad).reshape(n_out, -1).pow(2).sum(1)


def r1_penalty(D: Critic, real: Tensor) -> Tensor:
    """R1 (Mescheder et al. 2018, eq. 9): E_x~P[‖∇_x D(x)‖²] on real data; used with weight γ/2."""
    out, grad = input_gradient(D, real)
    return _sq_norm(grad, out.numel()).mean()


def r2_penalty(D: Critic, fake: Tensor) -> Tensor:
    """R2 (Mescheder et al. 2018, eq. 10): E_x~Q[‖∇_x D(x)‖²] on generated data; used with weight γ/2."""
    out, grad = input_gradient(D, fake)
    return _sq_norm(grad, out.numel()).mean()


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """x̂ = α·x + (1 − α)·x̃ with one α ~ U[0, 1] per sample (Gulrajani et al. 2017, Algorithm 1); returns (x̂, α)."""
    if real.shape != fake.shape:
        raise ValueError(f"gradient penalty pairs real and fake samples: {tuple(real.shape)} vs {tuple(fake.shape)}")
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    alpha = torch.rand(shape, generator=generator, device=real.device, dtype=real.dtype)
    return torch.lerp(fake.detach(), real.detach(), alpha), alpha


def gradient_penalty(
    D: Critic,
    real: Tensor,
    fake: Tensor,
    center: float = 1.0,
    one_sided: bool = False,
    generator: torch.Generator | None = None,
) -> Tensor:
    """WGAN-GP's penalty (Gulrajani et al. 2017, eq. 3): E_x̂[(‖∇D(x̂)‖ − center)²] on random interpolates.

    `one_sided=True` penalises only norms above `center`: E[max(0, ‖∇D(x̂)‖ − center)²]
    (Gulrajani et al. 2017, appendix; Petzka et al. 2018). Used with weight λ (10 in the paper).
    """
    x_hat, _ = interpolate(real, fake, generator)
    out, grad = input_gradient(D, x_hat)
    gap = (_sq_norm(grad, out.numel()) + 1e-12).sqrt() - center
    return (F.relu(gap) if one_sided else gap).pow(2).mean()


def roth_penalty(D: Critic, real: Tensor, fake: Tensor) -> Tensor:
    """The noise-induced regulariser of Roth et al. 2017 (eq. 15 / Algorithm 1), for the JS-GAN.

    Ω = E_P[(1 − σ(φ(x)))² ‖∇φ(x)‖²] + E_Q[σ(φ(x̃))² ‖∇φ(x̃)‖²], with φ the logit. It is the
    analytic effect of adding Gaussian noise to D's inputs; used with weight γ/2.
    """
    out_r, grad_r = input_gradient(D, real)
    out_f, grad_f = input_gradient(D, fake)
    w_r = (1 - torch.sigmoid(_full(out_r))).pow(2)
    w_f = torch.sigmoid(_full(out_f)).pow(2)
    return (w_r * _sq_norm(grad_r, out_r.numel())).mean() + (w_f * _sq_norm(grad_f, out_f.numel())).mean()


def path_length_penalty(fake_images: Tensor, ws: Tensor, pl_mean: Tensor | float, decay: float = 0.01,
                        generator: torch.Generator | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """StyleGAN2's path length regulariser (Karras et al. 2020, section 3.2, eq. 4): E_w,y[(‖J_wᵀ y‖₂ − a)²].

    `fake_images` (N, C, H, W) = g(ws) must be in the graph of `ws` (N, num_ws, w_dim), the
    per-layer styles. y ~ N(0, I) / √(H·W) (the image-size normalisation of the paper's code), Jᵀy
    comes from one autograd pass, and a sample's length is √(mean over layers of Σ (Jᵀy)²), i.e.
    ‖Jᵀy‖ for a single w broadcast to every layer, averaged over layers. The target a is the
    running mean of the lengths: new_pl_mean = pl_mean + decay·(mean(lengths) − pl_mean).
    Returns (penalty = mean((lengths − new_pl_mean)²), new_pl_mean (detached), lengths (N,)).
    The gradient is kept in the graph (create_graph=True) so the penalty can be minimised; the
    paper weights it by γ_pl = ln 2 / (r²(ln r − ln 2)) for r×r images, applied every 16 steps.
    """
    if fake_images.dim() != 4:
        raise ValueError(f"path_length_penalty expects images (N, C, H, W), got {tuple(fake_images.shape)}")
    h, w = fake_images.shape[2:]
    y = torch.randn(fake_images.shape, generator=generator, device=fake_images.device,
                    dtype=_full(fake_images).dtype) / math.sqrt(h * w)
    (grad,) = torch.autograd.grad((_full(fake_images) * y).sum(), ws, create_graph=True)
    sq = _full(grad).square().sum(-1)  # (N, num_ws), or (N,) for ws (N, w_dim)
    lengths = (sq.mean(1) if sq.dim() == 2 else sq).sqrt()
    pl_mean = torch.as_tensor(pl_mean, dtype=lengths.dtype, device=lengths.device)
    new_pl_mean = pl_mean.lerp(lengths.mean().detach(), decay).detach()
    return (lengths - new_pl_mean).square().mean(), new_pl_mean, lengths


def matching_aware_gp(D: Callable[[Tensor, Tensor], Tensor], real: Tensor, sentences: Tensor, k: float = 2.0,
                      p: float = 6.0) -> Tensor:
    """DF-GAN's matching-aware gradient penalty (Tao et al. 2022, eq. 4): k·E[‖(∇_x D(x, s), ∇_s D(x, s))‖^p].

    On real images x (N, ...) with their matching sentence embeddings s (N, T), where the data
    lie; it smooths D around the real, matching pairs in both the image and the text input.
    The norm is that of the joint gradient, as in the authors' code (the paper's eq. 4 writes the
    sum of the two norms). k = 2 and p = 6 as in the paper; the result is already weighted by k.
    """
    x = real.detach().requires_grad_(True)
    s = sentences.detach().requires_grad_(True)
    out = D(x, s)
    grad_x, grad_s = torch.autograd.grad(_full(out).sum(), (x, s), create_graph=True)
    norm = (_sq_norm(grad_x, out.numel()) + _sq_norm(grad_s, out.numel()) + 1e-12).sqrt()
    return k * norm.pow(p).mean()
