"""Differentiable augmentations for data-efficient GAN training: DiffAugment and ADA."""

from gankit.augment.ada import ADA_OPS, AdaptiveAugment, ada_augment
from gankit.augment.diffaugment import DIFFAUGMENT_POLICIES, diff_augment

__all__ = ["ADA_OPS", "AdaptiveAugment", "DIFFAUGMENT_POLICIES", "ada_augment", "diff_augment"]
