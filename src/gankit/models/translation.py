"""Image-to-image translation networks: CycleGAN (Zhu et al. 2017) and pix2pix (Isola et al. 2017).

"Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks" (Zhu, Park, Isola, Efros,
ICCV 2017) translates with a ResNet generator; "Image-to-Image Translation with Conditional Adversarial
Networks" (Isola, Zhu, Zhou, Efros, CVPR 2017) with a U-Net; both judge with a PatchGAN. One module each:
- resnet_generator: ResnetGenerator (and its ResidualBlock);
- unet: UnetGenerator, unet_depth_for;
- patchgan: PatchDiscriminator, patch_receptive_field, patch_output_size, patch_layers_for;
- stride_padding: how the generators accept any H×W (reflection-pad to their stride factor, crop back);
- tiling: translate_tiled and needs_tiling, for images too large for one pass.
All use the papers' init: conv weights N(0, 0.02), affine norm scales N(1, 0.02), biases 0. None is
registered in models/registry.py: the translation games build them directly.
"""

from gankit.models.patchgan import PatchDiscriminator, patch_layers_for, patch_output_size, patch_receptive_field
from gankit.models.resnet_generator import ResidualBlock, ResnetGenerator
from gankit.models.tiling import needs_tiling, translate_tiled
from gankit.models.unet import UnetGenerator, unet_depth_for

__all__ = [
    "PatchDiscriminator",
    "ResidualBlock",
    "ResnetGenerator",
    "UnetGenerator",
    "needs_tiling",
    "patch_layers_for",
    "patch_output_size",
    "patch_receptive_field",
    "translate_tiled",
    "unet_depth_for",
]
