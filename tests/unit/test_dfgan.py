"""DF-GAN's networks and its matching-aware gradient penalty (MA-GP), against closed forms and autograd."""

import pytest
import torch

from gankit.losses.penalties import matching_aware_gp
from gankit.models.dfgan import Affine, DFDiscriminator, DFGenerator


def test_ma_gp_closed_form_for_a_bilinear_critic():
    """D(x, s) = a·x + b·s + c: the joint gradient is (a, b) everywhere, so MA-GP = k·(‖a‖² + ‖b‖²)^(p/2)."""
    a, b = torch.randn(3 * 4 * 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
    D = lambda x, s: x.flatten(1) @ a + s @ b + 1.0
    x, s = torch.randn(6, 3, 4, 4, dtype=torch.float64), torch.randn(6, 5, dtype=torch.float64)
    want = 2.0 * (a.square().sum() + b.square().sum()) ** 3
    assert matching_aware_gp(D, x, s, k=2.0, p=6.0).item() == pytest.approx(want.item(), rel=1e-9)


def test_ma_gp_matches_autograd_per_sample_norms_of_a_network():
    """Against per-sample gradients taken one sample at a time by autograd, on a real D."""
    torch.manual_seed(0)
    D = DFDiscriminator(text_dim=7, width=4, size=16, channels=3).double()
    x, s = torch.randn(4, 3, 16, 16, dtype=torch.float64), torch.randn(4, 7, dtype=torch.float64)
    norms = []
    for i in range(4):
        xi, si = x[i:i + 1].clone().requires_grad_(True), s[i:i + 1].clone().requires_grad_(True)
        gx, gs = torch.autograd.grad(D(xi, si).sum(), (xi, si))
        norms.append((gx.square().sum() + gs.square().sum()).sqrt())
    want = 2.0 * torch.stack(norms).pow(6).mean()
    assert matching_aware_gp(D, x, s).item() == pytest.approx(want.item(), rel=1e-6)


def test_ma_gp_is_differentiable_in_d_weights():
    D = DFDiscriminator(text_dim=3, width=4, size=8, channels=1)
    gp = matching_aware_gp(D, torch.randn(2, 1, 8, 8), torch.randn(2, 3))
    gp.backward()
    assert all(p.grad is not None for p in D.parameters() if p.requires_grad and p.dim() > 1)


def test_affine_fusion_starts_as_the_identity_and_reads_the_condition():
    fuse = Affine(cond_dim=5, channels=3)
    h, c = torch.randn(2, 3, 4, 4), torch.randn(2, 5)
    assert torch.equal(fuse(h, c), h)
    torch.nn.init.normal_(fuse.gamma[2].weight)
    assert not torch.allclose(fuse(h, c), fuse(h, c.flip(0)))


@pytest.mark.parametrize("size", [8, 16, 32, 64])
def test_shapes_and_range(size):
    G, D = DFGenerator(z_dim=8, text_dim=5, width=4, size=size, channels=3), DFDiscriminator(5, width=4, size=size)
    x = G(torch.randn(3, 8), torch.randn(3, 5))
    assert x.shape == (3, 3, size, size) and torch.isfinite(x).all()
    assert D(x, torch.randn(3, 5)).shape == (3,)


@pytest.mark.parametrize("layout", [False, True])
def test_with_layout_the_first_features_read_the_caption_and_without_only_the_noise(layout):
    """text.layout: G's 4×4 features (before any fusion) change with the caption; DF-GAN's own do not."""
    torch.manual_seed(0)
    G = DFGenerator(z_dim=8, text_dim=5, width=4, size=16, layout=layout)
    first = []
    G.fc.register_forward_hook(lambda m, args, out: first.append(out))
    z, s = torch.randn(2, 8), torch.randn(2, 5)
    G(z, s), G(z, s.flip(0))
    assert G.fc.in_features == (13 if layout else 8)
    assert torch.allclose(*first) != layout


def test_sizes_that_are_not_powers_of_two_are_refused():
    with pytest.raises(ValueError, match="8, 16, 32, 64"):
        DFGenerator(z_dim=8, text_dim=5, size=28)


def test_d_judges_the_pair_not_the_image_alone():
    """The same image with another caption gets another logit: D is matching-aware by construction."""
    torch.manual_seed(0)
    D = DFDiscriminator(text_dim=5, width=4, size=16)
    x = torch.randn(1, 3, 16, 16).expand(2, -1, -1, -1)
    assert not torch.allclose(*D(x, torch.randn(2, 5)))


def test_rejudged_images_score_as_in_a_separate_pass_and_train_d_alike():
    """One pass with rejudge = (rows, s2) gives D(x, s) then D(x[rows], s2), and the same gradients as two passes."""
    torch.manual_seed(0)
    D = DFDiscriminator(text_dim=6, width=4, size=16)
    x, s, s2 = torch.randn(5, 3, 16, 16), torch.randn(5, 6), torch.randn(3, 6)
    rows = torch.tensor([0, 2, 3])
    joint = D(x, s, rejudge=(rows, s2))
    apart = torch.cat([D(x, s), D(x[rows], s2)])
    torch.testing.assert_close(joint, apart)
    grads = [torch.autograd.grad(out.square().sum(), list(D.parameters())) for out in (joint, apart)]
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b)
