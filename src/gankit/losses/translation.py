"""The reconstruction terms of image-to-image translation: CycleGAN's cycle and identity losses, pix2pix's L1.

Shapes: every argument is a batch of images N×C×H×W in the same space (gankit's [-1, 1]); each loss
is a scalar, the mean absolute difference over all N·C·H·W entries (PyTorch's l1_loss), as in the
papers' code.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def cycle_loss(a: Tensor, a_back: Tensor, b: Tensor, b_back: Tensor, weight: float) -> Tensor:
    """CycleGAN's cycle-consistency loss (Zhu et al. 2017, eq. 2), weighted by λ.

    L_cyc = λ·(E‖F(G(a)) − a‖₁ + E‖G(F(b)) − b‖₁), with `a_back` = F(G(a)) and `b_back` = G(F(b)).
    """
    return weight * (F.l1_loss(a_back, a) + F.l1_loss(b_back, b))


def identity_loss(a: Tensor, f_of_a: Tensor, b: Tensor, g_of_b: Tensor, weight: float) -> Tensor:
    """CycleGAN's identity loss (Zhu et al. 2017, section 5.2; Taigman et al. 2017), weighted by λ_id.

    L_id = λ_id·(E‖G(b) − b‖₁ + E‖F(a) − a‖₁): each generator leaves an image already of its target
    domain as it is, which keeps colours. The paper weighs it 0.5·λ.
    """
    return weight * (F.l1_loss(g_of_b, b) + F.l1_loss(f_of_a, a))


def paired_l1_loss(fake: Tensor, target: Tensor, weight: float) -> Tensor:
    """pix2pix's reconstruction term (Isola et al. 2017, eq. 3), weighted by λ (100 in the paper): λ·E‖y − G(x)‖₁."""
    return weight * F.l1_loss(fake, target)

