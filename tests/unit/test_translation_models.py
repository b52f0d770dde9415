"""CycleGAN's ResNet generator, pix2pix's U-Net, the PatchGAN discriminator and tiled translation."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit.models.translation import (
    PatchDiscriminator,
    ResidualBlock,
    ResnetGenerator,
    UnetGenerator,
    needs_tiling,
    patch_layers_for,
    patch_output_size,
    patch_receptive_field,
    translate_tiled,
    unet_depth_for,
)


def _params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def _generators(channels: int, size: int) -> list[nn.Module]:
    return [ResnetGenerator(channels, channels, width=4, blocks=2),
            UnetGenerator(channels, channels, width=4, size=size)]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [28, 32, 64, 256])
def test_generators_keep_the_size_and_stay_in_range(size, channels):
    torch.manual_seed(0)
    x = torch.rand(2, channels, size, size) * 2 - 1
    for net in _generators(channels, size):
        y = net(x)
        assert y.shape == x.shape, type(net).__name__
        assert y.abs().max() <= 1 and y.std() > 0


def test_unet_default_depth_reaches_a_one_pixel_bottleneck():
    assert [unet_depth_for(s) for s in (28, 32, 64, 256)] == [5, 5, 6, 8]
    assert UnetGenerator(3, 3, width=2).depth == 8  # pix2pix's unet_256 when no size is given
    widths = [layer[0].out_channels for layer in UnetGenerator(3, 3, width=2, size=256).down]
    assert widths == [2, 4, 8, 16, 16, 16, 16, 16]  # w, 2w, 4w, 8w, then capped


def test_a_non_multiple_size_is_reflection_padded_and_cropped_back():
    torch.manual_seed(0)
    x = torch.randn(1, 3, 29, 30)
    net = ResnetGenerator(3, 2, width=4, blocks=1)  # stride factor 4: 29 -> 32 (1 before, 2 after), 30 -> 32 (1, 1)
    padded = F.pad(x, (1, 1, 1, 2), mode="reflect")
    assert torch.allclose(net(x), net.net(padded)[..., 1:30, 1:31], atol=1e-6)
    unet = UnetGenerator(3, 2, width=4, size=28).eval()  # stride factor 32: 29 -> 32 (1, 2), 30 -> 32 (1, 1)
    assert torch.allclose(unet(x), unet(padded)[..., 1:30, 1:31], atol=1e-6)
    assert unet(torch.randn(1, 3, 45, 37)).shape == (1, 2, 45, 37)


def test_inputs_below_the_minimum_are_refused_by_name():
    resnet, unet = ResnetGenerator(1, 1, width=4, blocks=1), UnetGenerator(1, 1, width=4, size=28)
    assert (resnet.min_size, unet.min_size) == (5, 12)  # 5 -> 8 gives a 2×2 bottleneck; 32 - 12 = 20 = 10 + 10
    assert ResnetGenerator(1, 1, width=4, blocks=1, downsamplings=0).min_size == 4  # the stem's reflection pad 3
    assert resnet(torch.randn(1, 1, 5, 5)).shape == (1, 1, 5, 5)
    assert unet(torch.randn(1, 1, 12, 12)).shape == (1, 1, 12, 12)
    with pytest.raises(ValueError, match=r"ResnetGenerator needs images of at least 5×5 px, got 4×9"):
        resnet(torch.randn(1, 1, 4, 9))
    with pytest.raises(ValueError, match=r"UnetGenerator needs images of at least 12×12 px, got 11×11"):
        unet(torch.randn(1, 1, 11, 11))
    with pytest.raises(ValueError, match="blocks >= 1"):
        ResnetGenerator(1, 1, blocks=0)


def test_a_residual_block_with_its_second_conv_zeroed_is_the_identity():
    torch.manual_seed(0)
    block = ResidualBlock(8)
    x = torch.randn(2, 8, 6, 6)
    assert not torch.allclose(block(x), x)
    second = [m for m in block.modules() if isinstance(m, nn.Conv2d)][1]
    with torch.no_grad():
        second.weight.zero_()
        second.bias.zero_()
    assert torch.equal(block(x), x)  # instance norm of zeros is zero


def test_the_unet_outermost_skip_carries_the_input():
    """With every encoder layer below the first silenced, only the outermost skip still carries the input."""
    torch.manual_seed(0)
    net = UnetGenerator(1, 1, width=4, size=32).eval()
    with torch.no_grad():
        for layer in net.down[1:]:
            layer[0].weight.zero_()
            if layer[0].bias is not None:
                layer[0].bias.zero_()
        x = torch.rand(1, 1, 32, 32) * 2 - 1
        x2 = x.clone()
        x2[0, 0, 13, 18] += 1.0
        change = (net(x2) - net(x)).abs()[0, 0]
    assert change[13, 18] > 1e-4
    far = torch.ones_like(change, dtype=torch.bool)
    far[13 - 4:13 + 5, 18 - 4:18 + 5] = False  # a 4×4/2 conv and a 4×4/2 transposed conv reach 3-4 px
    assert change[far].max() == 0


def test_unet_dropout_sits_in_the_three_innermost_decoder_layers():
    dropped = [any(isinstance(m, nn.Dropout) for m in layer) for layer in UnetGenerator(1, 1, width=2, size=64).up]
    assert dropped == [True, True, True, False, False, False]
    assert not any(isinstance(m, nn.Dropout) for m in UnetGenerator(1, 1, width=2, dropout=False).modules())
    net, x = UnetGenerator(1, 1, width=4, size=32), torch.randn(1, 1, 32, 32)
    assert not torch.equal(net(x), net(x))  # pix2pix's noise, in train mode
    net.eval()
    assert torch.equal(net(x), net(x))


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_patch_receptive_field_measured_by_autograd(layers):
    """The gradient of one logit has support exactly patch_receptive_field(layers) wide (norms removed:
    instance statistics would spread it over the whole image)."""
    torch.manual_seed(0)
    net = PatchDiscriminator(2, width=4, layers=layers).double()
    for i, m in enumerate(net.net):
        if isinstance(m, nn.InstanceNorm2d):
            net.net[i] = nn.Identity()
    size = 2 * patch_receptive_field(layers) + 2 ** (layers + 1)
    x = torch.randn(1, 2, size, size, dtype=torch.float64, requires_grad=True)
    out = net(x)
    assert out.shape == (1, 1, patch_output_size(size, layers), patch_output_size(size, layers))
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = x.grad[0].abs().sum((0, 2)).nonzero().flatten()
    cols = x.grad[0].abs().sum((0, 1)).nonzero().flatten()
    assert rows[-1] - rows[0] + 1 == patch_receptive_field(layers)
    assert cols[-1] - cols[0] + 1 == patch_receptive_field(layers)


def test_receptive_fields_and_the_layer_rule():
    assert [patch_receptive_field(n) for n in (1, 2, 3)] == [16, 34, 70]  # 70×70: the paper's PatchGAN
    assert [patch_layers_for(s) for s in (28, 32, 64, 128, 256)] == [1, 1, 2, 3, 3]
    for s in (8, 28, 32, 34, 64, 69, 70, 128, 256, 512):
        n = patch_layers_for(s)
        assert patch_output_size(s, n) >= 2 and (n == 1 or patch_receptive_field(n) <= s)
    with pytest.raises(ValueError, match="at least 8 px"):
        patch_layers_for(7)


def test_patch_discriminator_shapes_and_conditional_use():
    torch.manual_seed(0)
    a, b = torch.randn(2, 1, 28, 28), torch.randn(2, 3, 28, 28)
    d = PatchDiscriminator(1 + 3, width=4, layers=patch_layers_for(28))  # pix2pix: D sees input and output
    assert d(torch.cat([a, b], 1)).shape == (2, 1, 12, 12)
    assert PatchDiscriminator(3, width=4)(torch.randn(1, 3, 256, 256)).shape == (1, 1, 30, 30)  # the paper's 30×30
    with pytest.raises(ValueError, match="at least 24×24 px, got 20×20"):
        PatchDiscriminator(3, width=4)(torch.randn(1, 3, 20, 20))


def test_parameter_counts_match_the_reference_networks():
    assert _params(ResnetGenerator(3, 3, 64, 9)) == 11_378_179
    assert _params(PatchDiscriminator(3, 64, 3)) == 2_764_737


def test_initialisation_is_the_papers():
    torch.manual_seed(0)
    for net in (ResnetGenerator(3, 3, 16, 2), UnetGenerator(3, 3, 16, size=64), PatchDiscriminator(3, 16)):
        convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        weights = torch.cat([m.weight.flatten() for m in convs])
        assert weights.std().item() == pytest.approx(0.02, rel=0.05) and abs(weights.mean().item()) < 1e-3
        assert all(m.bias is None or not m.bias.any() for m in convs)
    scales = torch.cat([m.weight for m in UnetGenerator(3, 3, 16, size=64).modules() if isinstance(m, nn.InstanceNorm2d)])
    assert scales.mean().item() == pytest.approx(1.0, abs=0.01) and scales.std().item() == pytest.approx(0.02, rel=0.3)


def test_tiling_with_a_tile_covering_the_image_is_one_pass():
    torch.manual_seed(0)
    net, x = ResnetGenerator(3, 3, width=4, blocks=1), torch.randn(2, 3, 28, 28)
    assert torch.equal(translate_tiled(net, x, tile=28, overlap=8), net(x))
    assert torch.equal(translate_tiled(net, x, tile=64, overlap=8), net(x))


@pytest.mark.parametrize("overlap, margin", [(0, 0), (5, 2), (7, 1), (9, None), (20, 9)])
def test_tile_weights_cover_every_pixel_and_normalise(overlap, margin):
    x = torch.randn(2, 3, 53, 41)  # uneven: some tiles overlap more than asked, some pixels lie in three tiles
    assert torch.allclose(translate_tiled(lambda t: t, x, tile=21, overlap=overlap, margin=margin), x, atol=1e-6)


def test_tiling_is_exact_for_a_conv_net_whose_reach_the_margin_covers():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(8, 8, 3, padding=1), nn.Tanh(),
                        nn.Conv2d(8, 2, 3, padding=1))  # receptive field 7: reach 3
    x = torch.randn(2, 3, 50, 70)
    with torch.no_grad():
        full = net(x)
        exact = translate_tiled(net, x, tile=24, overlap=7, margin=3)  # overlap = receptive field
        default = translate_tiled(net, x, tile=24, overlap=14)  # default margin 14 // 4 = 3
        short = translate_tiled(net, x, tile=24, overlap=7)  # margin 1 < reach: seams show
    assert (exact - full).abs().max() < 1e-5
    assert (default - full).abs().max() < 1e-5
    assert (short - full).abs().max() > 1e-3


def test_tiling_a_normalised_generator_approximates_it():
    torch.manual_seed(0)
    net, x = ResnetGenerator(1, 1, width=4, blocks=1).eval(), torch.rand(1, 1, 40, 44) * 2 - 1
    with torch.no_grad():
        tiled = translate_tiled(net, x, tile=24, overlap=12)
    assert tiled.shape == x.shape and tiled.abs().max() <= 1
    with pytest.raises(ValueError, match="overlap < tile"):
        translate_tiled(net, x, tile=24, overlap=24)
    with pytest.raises(ValueError, match="output has its input's size"):
        translate_tiled(PatchDiscriminator(1, width=4, layers=1), x, tile=24, overlap=8)


def test_needs_tiling():
    assert needs_tiling(1024, 1024, 512 * 512) and not needs_tiling(512, 512, 512 * 512)
