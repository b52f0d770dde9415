"""Weight initialisations, stated so that results can be reproduced."""

from __future__ import annotations

from torch import nn


def dcgan_init(module: nn.Module) -> None:
    """Radford et al. 2015, section 4: conv/linear weights ~ N(0, 0.02); BN scale ~ N(1, 0.02); biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)) and m.affine:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def mlp_init(module: nn.Module) -> None:
    """Kaiming-uniform weights for ReLU-family layers (He et al. 2015) and zero biases."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, a=0.2, nonlinearity="leaky_relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def reset_conditioning(module: nn.Module) -> None:
    """Give class-conditioning layers their own stated initialisation back after a family-wide init."""
    for m in module.modules():
        if m is not module and hasattr(m, "reset_conditioning"):
            m.reset_conditioning()
