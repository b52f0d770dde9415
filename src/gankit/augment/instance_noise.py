"""Instance noise: Gaussian noise added to every sample D sees, real and fake alike, annealed to 0.

Arjovsky & Bottou 2017 ("Towards principled methods for training GANs", section 4) show that when
the data and the generator live on thin, disjoint supports a perfect D exists and G's gradient
carries little information; adding N(0, σ²I) to both makes the two densities overlap, so D's
gradient points G towards the data at the scale σ. Sønderby et al. 2017 ("Amortised MAP inference
for image super-resolution", ICLR) name it instance noise and anneal σ to 0 so that the game
ends on the clean distributions. Roth et al. 2017 (loss.roth) is its analytic small-σ approximation.

Here σ(step) = σ₀ · max(0, 1 − step / (until · total_steps)): it falls linearly from σ₀ at step 0
and is 0 from `until` × train.steps on. The noise is added in model space (images in [-1, 1],
2-D points in data coordinates), after DiffAugment/ADA and before PacGAN packing, in D's updates
and G's alike: the game itself is played on the blurred distributions.
"""

from __future__ import annotations

import torch


def instance_noise_std(step: int, total_steps: int, sigma0: float, until: float = 1.0) -> float:
    """σ at this step: σ₀ falling linearly to 0 at step until·total_steps, 0 after."""
    if sigma0 <= 0 or total_steps <= 0:
        return 0.0
    return sigma0 * max(0.0, 1.0 - step / (until * total_steps))


def add_instance_noise(x: torch.Tensor, std: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """x + N(0, std²) per element (x itself when std is 0); differentiable in x."""
    if std <= 0:
        return x
    noise = torch.randn(x.shape, generator=generator, device=x.device if generator is None else generator.device)
    return x + std * noise.to(device=x.device, dtype=x.dtype)
