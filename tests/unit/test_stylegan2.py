"""StyleGAN2 layers and networks: equalised lr, (de)modulation, truncation, mixing, path length, refusals."""

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.losses.penalties import path_length_penalty
from gankit.models.registry import build_models
from gankit.models.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator, channels_at
from gankit.nn.equalized import EqualConv2d, EqualLinear, downsample2x, upsample2x
from gankit.nn.modulated import ModulatedConv2d, NoiseInjection, ToRGB

TINY = dict(z_dim=8, g_width=8, d_width=8, g_depth=2, d_depth=1)


def tiny_generator(**kw) -> StyleGAN2Generator:
    torch.manual_seed(0)
    return StyleGAN2Generator(8, (3, 32, 32), width=4, mapping_depth=2, **kw)


# ---------------------------------------------------------------- equalised learning rate
def test_equal_linear_effective_weight_is_stored_times_lr_mul_over_sqrt_fan_in():
    layer = EqualLinear(16, 4, bias_init=0.5, lr_mul=0.01)
    assert torch.equal(layer.effective_weight(), layer.weight * (0.01 / 4.0))
    assert torch.allclose(layer.effective_bias(), torch.full((4,), 0.5))  # stored 50, used ×0.01
    x = torch.randn(3, 16)
    assert torch.allclose(layer(x), F.linear(x, layer.weight * 0.01 / 4.0, layer.bias * 0.01))
    conv = EqualConv2d(8, 2, 3, lr_mul=0.5)
    assert torch.equal(conv.effective_weight(), conv.weight * (0.5 / math.sqrt(8 * 9)))
    with pytest.raises(ValueError, match="activation"):
        EqualLinear(4, 4, activation="relu")


def test_equal_linear_stores_n01_over_lr_mul_and_keeps_unit_variance():
    torch.manual_seed(0)
    layer = EqualLinear(512, 256, lr_mul=0.01)
    assert abs(layer.weight.std().item() - 100.0) < 2.0
    x = torch.randn(4096, 512)
    with torch.no_grad():
        assert abs(layer(x).std().item() - 1.0) < 0.05
        act = EqualLinear(512, 256, lr_mul=0.01, activation="lrelu")
        # E[(√2·lrelu_0.2(y))²] = 2·(1 + 0.2²)/2 = 1.04 for y ~ N(0, 1)
        assert abs(act(x).square().mean().item() - 1.04) < 0.06


# ---------------------------------------------------------------- modulation and demodulation
@pytest.mark.parametrize("fused", [True, False])
def test_demodulation_keeps_unit_variance(fused):
    torch.manual_seed(0)
    conv = ModulatedConv2d(64, 48, 3, w_dim=32, fused=fused)
    with torch.no_grad():
        conv.affine.weight.mul_(3.0)  # styles far from 1, so demodulation has work to do
        x, w = torch.randn(8, 64, 16, 16), torch.randn(8, 32)
        y = conv(x, w)[:, :, 1:-1, 1:-1]  # the border sees zero padding
        assert abs(y.var().item() - 1.0) < 0.1
        per_sample = y.var(dim=(1, 2, 3))
        assert (per_sample - 1).abs().max() < 0.15  # each sample, whatever its style
        plain = ModulatedConv2d(64, 48, 3, w_dim=32, demodulate=False, fused=fused)
        plain.affine.weight.mul_(3.0)
        assert abs(plain(x, w).var().item() - 1.0) > 0.3  # without demodulation the scale follows the style


@pytest.mark.parametrize("up, kernel, demodulate", [(False, 3, True), (True, 3, True), (False, 1, False)])
def test_grouped_and_unfused_modulated_conv_agree(up, kernel, demodulate):
    torch.manual_seed(0)
    conv = ModulatedConv2d(6, 5, kernel, w_dim=7, demodulate=demodulate, up=up, fused=True)
    x, w = torch.randn(3, 6, 8, 8), torch.randn(3, 7)
    y_grouped = conv(x, w)
    conv.fused = False
    assert y_grouped.shape == (3, 5, 16 if up else 8, 16 if up else 8)
    assert torch.allclose(y_grouped, conv(x, w), atol=1e-5)


def test_torgb_is_a_modulated_1x1_without_demodulation():
    torch.manual_seed(0)
    rgb = ToRGB(4, 3, w_dim=5)
    with torch.no_grad():
        rgb.bias.fill_(0.25)
        x, w = torch.randn(2, 4, 6, 6), torch.randn(2, 5)
        s = rgb.conv.affine(w)
        weight = rgb.conv.weight[:, :, 0, 0] / 2.0  # 1/√fan_in, fan_in = 4
        expected = torch.einsum("oi,ni,nihw->nohw", weight, s, x) + 0.25
        assert torch.allclose(rgb(x, w), expected, atol=1e-5)


def test_resampling_filters():
    x = torch.randn(2, 3, 8, 8)
    assert upsample2x(x).shape == (2, 3, 16, 16) and downsample2x(x).shape == (2, 3, 4, 4)
    assert torch.allclose(downsample2x(torch.ones(1, 1, 8, 8))[0, 0, 1:-1, 1:-1], torch.ones(2, 2))  # unit DC gain


def _r1_of_blurred_conv(blur, x0: torch.Tensor, w0: torch.Tensor):
    """R1's double backward through conv -> blur: the output, the input gradient and the weight gradient."""
    x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    y = blur(F.conv2d(x, w, padding=1)).square().sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    g.square().sum().backward()
    return y.detach(), g.detach(), w.grad


def test_downsampling_is_the_depthwise_blur_and_its_double_backward_does_not_loop_over_channels():
    from torch.utils._python_dispatch import TorchDispatchMode

    class CountConvolutions(TorchDispatchMode):
        n = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.n += func.overloadpacket is torch.ops.aten.convolution
            return func(*args, **(kwargs or {}))

    def depthwise(x):  # StyleGAN2's [1, 3, 3, 1] blur as a grouped convolution, the reference
        k = torch.tensor([1.0, 3.0, 3.0, 1.0], dtype=x.dtype)
        return F.conv2d(x, (torch.outer(k, k) / 64).expand(x.shape[1], 1, 4, 4), stride=2, padding=1, groups=x.shape[1])

    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 16, 8, 8, generator=g, dtype=torch.float64)
    w = torch.randn(16, 16, 3, 3, generator=g, dtype=torch.float64)
    for ours, reference in zip(_r1_of_blurred_conv(downsample2x, x, w), _r1_of_blurred_conv(depthwise, x, w)):
        assert torch.allclose(ours, reference, rtol=1e-12, atol=1e-12)
    counts = []
    for channels in (4, 64):  # a grouped convolution's double backward runs one convolution per channel
        with CountConvolutions() as mode:
            _r1_of_blurred_conv(downsample2x, torch.randn(2, channels, 8, 8), torch.randn(channels, channels, 3, 3))
        counts.append(mode.n)
    assert counts[0] == counts[1] <= 8, counts


def test_noise_modes():
    torch.manual_seed(0)
    noise = NoiseInjection(4, 8)
    with torch.no_grad():
        noise.strength.fill_(1.0)
    x = torch.zeros(2, 4, 8, 8)
    assert torch.equal(noise(x, "none"), x)
    assert torch.equal(noise(x, "const"), noise(x, "const")) and torch.equal(noise(x, "const")[0], noise(x, "const")[1])
    assert not torch.equal(noise(x, "random"), noise(x, "random"))
    with pytest.raises(ValueError, match="noise_mode"):
        noise(x, "fixed")
    G = tiny_generator().eval()
    with torch.no_grad():
        for m in G.modules():
            if isinstance(m, NoiseInjection):
                m.strength.fill_(0.5)  # they start at 0
    z = torch.randn(2, 8)
    assert torch.equal(G(z), G(z, noise_mode="const"))  # eval mode samples deterministically by default
    assert not torch.equal(G(z, noise_mode="random"), G(z, noise_mode="random"))


# ---------------------------------------------------------------- mapping, truncation, mixing
def test_w_avg_tracks_the_mean_of_w_by_ema_in_training_only():
    G = tiny_generator()
    old = torch.randn(G.w_dim)
    G.w_avg.copy_(old)
    z = torch.randn(16, 8)
    ws = G.mapping(z)
    expected = 0.995 * old + 0.005 * ws[:, 0].mean(0)
    assert torch.allclose(G.w_avg, expected, atol=1e-6)
    G.eval()
    before = G.w_avg.clone()
    G.mapping(z)
    assert torch.equal(G.w_avg, before)


@pytest.mark.parametrize("cutoff", [None, 3])
def test_truncation_psi_zero_gives_w_avg_below_the_cutoff(cutoff):
    G = tiny_generator().eval()
    G.w_avg.copy_(torch.randn(G.w_dim))
    z = torch.randn(4, 8)
    full = G.mapping(z)
    ws = G.mapping(z, truncation_psi=0.0, truncation_cutoff=cutoff)
    k = G.num_ws if cutoff is None else cutoff
    assert torch.equal(ws[:, :k], G.w_avg.expand(4, k, -1))
    assert torch.equal(ws[:, k:], full[:, k:])
    half = G.mapping(z, truncation_psi=0.5, truncation_cutoff=cutoff)
    assert torch.allclose(half[:, :k], (G.w_avg + full[:, :k]) / 2, atol=1e-6)
    if cutoff is None:  # every layer at w_avg: the image no longer depends on z
        assert torch.equal(G(z, truncation_psi=0.0), G(torch.randn(4, 8), truncation_psi=0.0))


def test_style_mixing_takes_layers_below_cutoff_from_z_and_the_rest_from_mix_z():
    G = tiny_generator().eval()
    z, z2 = torch.randn(3, 8), torch.randn(3, 8)
    ws, ws2 = G.mapping(z), G.mapping(z2)
    mixed = G.mix_ws(ws, ws2, 3)
    assert torch.equal(mixed[:, :3], ws[:, :3]) and torch.equal(mixed[:, 3:], ws2[:, 3:])
    expected = G.synthesis(torch.cat([ws[:, :3], ws2[:, 3:]], 1))
    assert torch.equal(G(z, mix_z=z2, mix_cutoff=3), expected)
    assert torch.equal(G(z, mix_z=z2, mix_cutoff=G.num_ws), G(z))  # cutoff at the end: no mixing
    per_sample = G.mix_ws(ws, ws2, torch.tensor([1, 4, G.num_ws]))
    for i, c in enumerate([1, 4, G.num_ws]):
        assert torch.equal(per_sample[i, :c], ws[i, :c]) and torch.equal(per_sample[i, c:], ws2[i, c:])
    with pytest.raises(ValueError, match="mix_cutoff"):
        G(z, mix_z=z2)


def test_every_layer_style_is_used():
    """num_ws = 2·log2(R) − 2, and changing any one of them changes the image (no dead style)."""
    G = tiny_generator().eval()
    assert G.num_ws == 8 and G.mapping(torch.randn(1, 8)).shape == (1, 8, G.w_dim)
    ws = G.mapping(torch.randn(1, 8))
    base = G.synthesis(ws, "const")
    for k in range(G.num_ws):
        bumped = ws.clone()
        bumped[:, k] += 1.0
        assert not torch.allclose(G.synthesis(bumped, "const"), base), k


# ---------------------------------------------------------------- path length regularisation
def test_path_length_penalty_matches_a_linear_generator_in_closed_form():
    """g(ws) = ws·A, so Jᵀy = A y exactly; lengths, pl_mean's EMA and the penalty by hand (Karras et al. 2020, eq. 4)."""
    torch.manual_seed(0)
    n, layers, dim, shape = 4, 3, 5, (2, 4, 4)
    A = torch.randn(layers * dim, math.prod(shape), dtype=torch.float64, requires_grad=True)
    ws = torch.randn(n, layers, dim, dtype=torch.float64, requires_grad=True)
    images = (ws.flatten(1) @ A).view(n, *shape)
    penalty, pl_mean, lengths = path_length_penalty(images, ws, 2.0, decay=0.1,
                                                    generator=torch.Generator().manual_seed(7))
    y = torch.randn(n, *shape, generator=torch.Generator().manual_seed(7), dtype=torch.float64) / math.sqrt(16)
    jty = (y.flatten(1) @ A.t()).view(n, layers, dim)
    hand_lengths = jty.square().sum(2).mean(1).sqrt()
    hand_mean = 2.0 + 0.1 * (hand_lengths.mean().item() - 2.0)
    hand_penalty = (hand_lengths - hand_mean).square().mean()
    assert torch.allclose(lengths, hand_lengths) and pl_mean.item() == pytest.approx(hand_mean)
    assert penalty.item() == pytest.approx(hand_penalty.item())
    assert not pl_mean.requires_grad
    (g_auto,) = torch.autograd.grad(penalty, A)  # the penalty is differentiable w.r.t. G's weights
    (g_hand,) = torch.autograd.grad(hand_penalty, A)
    assert torch.allclose(g_auto, g_hand)
    # the running mean goes on from where it was: a second call starts from the returned pl_mean
    images = (ws.flatten(1) @ A).view(n, *shape)
    _, pl_mean2, lengths2 = path_length_penalty(images, ws, pl_mean, decay=0.1)
    assert pl_mean2.item() == pytest.approx(pl_mean.item() + 0.1 * (lengths2.mean().item() - pl_mean.item()))


def test_path_length_penalty_runs_through_the_generator():
    G = tiny_generator()
    ws = G.mapping(torch.randn(4, 8)).detach().requires_grad_(True)
    penalty, pl_mean, lengths = path_length_penalty(G.synthesis(ws), ws, torch.tensor(0.0))
    penalty.backward()
    assert lengths.shape == (4,) and torch.isfinite(penalty) and pl_mean > 0
    assert G.synthesis.blocks[-1].conv1.conv.weight.grad.abs().sum() > 0


# ---------------------------------------------------------------- construction and refusals
@pytest.mark.parametrize("shape", [(3, 48, 48), (3, 16, 16), (1, 512, 512), (3, 32, 64)])
def test_refuses_unsupported_resolutions(shape):
    with pytest.raises(ValueError, match="power of two between 32 and 256|square"):
        build_models("stylegan2", shape, **TINY)


def test_refuses_other_channel_counts_and_conditioning_modes():
    with pytest.raises(ValueError, match="gray"):
        build_models("stylegan2", (2, 32, 32), **TINY)
    for g, d in [("cbn", "projection"), ("concat", "projection"), ("embed", "acgan"), ("embed", "concat")]:
        with pytest.raises(ValueError, match="StyleGAN2 supports"):
            build_models("stylegan2", (3, 32, 32), num_classes=3, cond_g=g, cond_d=d, **TINY)
    with pytest.raises(ValueError, match="cond_g"):
        StyleGAN2Generator(8, (3, 32, 32), width=4, num_classes=3, cond="cbn")
    with pytest.raises(ValueError, match="cond_d"):
        StyleGAN2Discriminator((3, 32, 32), width=4, num_classes=3, cond="acgan")


def test_widths_scale_with_resolution_and_larger_sizes_build():
    assert [channels_at(r, 128) for r in (4, 32, 64, 128, 256)] == [512, 512, 256, 128, 64]  # StyleGAN2-ADA paper256
    torch.manual_seed(0)
    G, D = build_models("stylegan2", (1, 64, 64), z_dim=8, g_width=2, d_width=2, g_depth=1, d_depth=1,
                        minibatch_std=True)
    x = G(torch.randn(2, 8))
    assert G.num_ws == 10 and x.shape == (2, 1, 64, 64) and D(x).shape == (2,)


def test_minibatch_std_and_packing():
    torch.manual_seed(0)
    G, D = build_models("stylegan2", (3, 32, 32), minibatch_std=True, pack=2, **TINY)
    D.eval()
    x = G(torch.randn(8, 8)).detach().reshape(4, 6, 32, 32)  # two samples per D input
    out = D(x)
    assert out.shape == (4,) and D(x[:1]).shape == (1,)
    others_changed = torch.cat([x[:1], torch.zeros_like(x[1:])])
    assert not torch.isclose(D(others_changed)[0], out[0])  # the group's spread reaches each logit


def test_channels_last_inputs_give_the_same_logits():
    torch.manual_seed(0)
    G, D = build_models("stylegan2", (3, 32, 32), minibatch_std=True, **TINY)
    G.eval(), D.eval()
    x = G(torch.randn(4, 8))
    assert torch.allclose(D(x.contiguous(memory_format=torch.channels_last)), D(x), atol=1e-5)


def test_bf16_autocast_forward_backward_is_finite():
    torch.manual_seed(0)
    G, D = build_models("stylegan2", (3, 32, 32), minibatch_std=True, **TINY)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        x = G(torch.randn(4, 8), mix_z=torch.randn(4, 8), mix_cutoff=2)
        loss = F.softplus(-D(x)).mean()
    loss.float().backward()
    assert torch.isfinite(x.float()).all() and torch.isfinite(loss)
    for name, p in list(G.named_parameters()) + list(D.named_parameters()):
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


def test_the_discriminator_and_its_r1_step_make_no_tensor_from_host_data():
    # On a GPU a tensor made from Python numbers is a copy from the host that waits for the device: the blur
    # kernel built in every forward was about 30 such waits per training step (bench.profile_stylegan2).
    from torch.utils._python_dispatch import TorchDispatchMode

    class FindHostData(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func.overloadpacket is torch.ops.aten.lift_fresh:
                self.found.append(str(func))
            return func(*args, **(kwargs or {}))

    torch.manual_seed(0)
    D = StyleGAN2Discriminator((3, 32, 32), width=4)
    x = torch.randn(2, 3, 32, 32, requires_grad=True)
    with FindHostData() as mode:
        (g,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
        g.square().sum().backward()
    assert mode.found == []
