"""What D sees, changed alike for real and fake: DiffAugment, ADA and annealed instance noise."""

from gankit.augment.ada import ADA_OPS, AdaptiveAugment, ada_augment
from gankit.augment.diffaugment import DIFFAUGMENT_POLICIES, diff_augment
from gankit.augment.instance_noise import add_instance_noise, instance_noise_std

__all__ = ["ADA_OPS", "AdaptiveAugment", "DIFFAUGMENT_POLICIES", "ada_augment", "add_instance_noise", "diff_augment",
           "instance_noise_std"]
