"""Paths and shrinkage in latent space: lerp, slerp and the truncation trick."""

from __future__ import annotations

import torch


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Linear interpolation (1 − t)·a + t·b for each t; returns (len(t), *a.shape); exact at t = 0 and 1."""
    t = t.to(a.dtype).view(-1, *([1] * a.dim()))
    out = a.unsqueeze(0) + t * (b - a).unsqueeze(0)
    return _pin_endpoints(out, a, b, t)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Spherical interpolation (Shoemake 1985), as White (2016) recommends for Gaussian latents.

    The direction moves along the great circle from â to b̂: sin((1−t)Ω)/sin Ω · â + sin(tΩ)/sin Ω · b̂,
    cos Ω = â·b̂; the norm moves linearly from ‖a‖ to ‖b‖. So the path keeps the norm profile of the
    endpoints: for z ~ N(0, I) in d dimensions it stays near the shell of radius √d where the prior
    puts its mass, whereas lerp's midpoint has norm ≈ √(d/2). Nearly parallel endpoints fall back to
    lerp of the directions. Exact at t = 0 and 1.
    """
    t = t.to(a.dtype).view(-1, *([1] * a.dim()))
    na, nb = a.norm(), b.norm()
    ua, ub = a / na.clamp_min(eps), b / nb.clamp_min(eps)
    omega = torch.arccos((ua * ub).sum().clamp(-1.0, 1.0))
    if omega.abs() < 1e-4:
        direction = ua + t * (ub - ua)
        direction = direction / direction.flatten(1).norm(dim=1).clamp_min(eps).view_as(t)
    else:
        so = torch.sin(omega)
        direction = torch.sin((1 - t) * omega) / so * ua + torch.sin(t * omega) / so * ub
    out = (na + t * (nb - na)) * direction
    return _pin_endpoints(out, a, b, t)


def _pin_endpoints(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    flat = t.flatten()
    out[flat == 0] = a
    out[flat == 1] = b
    return out


def interpolate(a: torch.Tensor, b: torch.Tensor, steps: int, mode: str = "slerp") -> torch.Tensor:
    """`steps` evenly spaced points from a to b inclusive, by 'lerp' or 'slerp'."""
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps (its two endpoints), got {steps}")
    if mode not in ("lerp", "slerp"):
        raise ValueError(f"interpolation mode must be 'lerp' or 'slerp', got {mode!r}")
    t = torch.linspace(0, 1, steps, dtype=torch.float64)
    return (slerp if mode == "slerp" else lerp)(a, b, t)
