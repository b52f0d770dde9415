"""A plain, hand-written DCGAN training step: the baseline gankit's trainer must keep up with.

It is the loop of the PyTorch DCGAN example (BCE on D outputs, one fake batch reused for the
G step), written against the same network classes so only the training machinery differs.
"""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn.functional as F

from gankit.config import Config


def plain_step(G, D, opt_g, opt_d, real: torch.Tensor, z_dim: int) -> tuple[float, float]:
    """One D update and one G update, as a beginner's tutorial writes them."""
    b = real.size(0)
    ones, zeros = torch.ones(b), torch.zeros(b)
    D.zero_grad()
    loss_real = F.binary_cross_entropy_with_logits(D(real), ones)
    fake = G(torch.randn(b, z_dim))
    loss_fake = F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
    (loss_real + loss_fake).backward()
    opt_d.step()
    G.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
    loss_g.backward()
    opt_g.step()
    return (loss_real + loss_fake).item(), loss_g.item()


def plain_config(cfg: Config) -> Config:
    """cfg with the tutorial's recipe, whatever gankit's preset adds: plain BN networks, Adam 2e-4, β (0.5, 0.999)."""
    model = replace(cfg.model, spectral_norm=False, minibatch_std=False)
    return replace(cfg, model=model, train=replace(cfg.train, lr_g=2e-4, lr_d=2e-4, beta1=0.5, beta2=0.999))
