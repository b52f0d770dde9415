"""Class conditioning: label codes, conditional batch norm, projection, AC-GAN's loss, and refusals."""

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.api import as_config
from gankit.build import build_game, load_data
from gankit.errors import ConfigError
from gankit.models.conditioning import ConditionalBatchNorm2d, DiscriminatorHead, LabelCode, class_code
from gankit.models.registry import build_models


def test_class_code_one_hot_and_weights_pass_through():
    assert torch.equal(class_code(torch.tensor([2, 0]), 3), torch.tensor([[0.0, 0, 1], [1, 0, 0]]))
    w = torch.tensor([[0.5, -1.0, 1.5]])
    assert torch.equal(class_code(w, 3), w)
    with pytest.raises(ValueError, match="shape \\(N, 3\\)"):
        class_code(torch.ones(2, 4), 3)


def test_label_embedding_is_a_table_lookup():
    code = LabelCode("embed", 4, 5)
    assert torch.equal(code(torch.tensor([3])), code.table.weight[:, 3][None])
    assert LabelCode("concat", 4, 5).dim == 4


def test_conditional_batch_norm_starts_as_plain_batch_norm_then_depends_on_class():
    torch.manual_seed(0)
    cbn, bn = ConditionalBatchNorm2d(6, 3), torch.nn.BatchNorm2d(6, affine=False)
    x, c = torch.randn(8, 6, 4, 4), torch.randint(0, 3, (8,))
    assert torch.allclose(cbn(x, c), bn(x), atol=1e-6)
    with torch.no_grad():
        cbn.gain.weight.normal_()
        cbn.bias.weight.normal_()
    out = cbn(x, c)
    gamma = 1 + cbn.gain.weight[:, c].T
    beta = cbn.bias.weight[:, c].T
    assert torch.allclose(out, bn(x) * gamma[:, :, None, None] + beta[:, :, None, None], atol=1e-5)


@pytest.mark.parametrize("cond_d", ["projection", "projection_acgan"])
def test_projection_term_is_the_inner_product_of_embedding_and_features(cond_d):
    """Miyato & Koyama 2018, eq. 3: D(x, y) − D(x, y') = ⟨e(y) − e(y'), φ(x)⟩; the hybrid classifies the same φ(x)."""
    torch.manual_seed(0)
    G, D = build_models("dcgan", (1, 28, 28), z_dim=8, g_width=8, d_width=8, g_depth=1, d_depth=1,
                        num_classes=4, cond_g="cbn", cond_d=cond_d)
    D.eval()
    x = torch.randn(5, 1, 28, 28)
    phi = D.net[:-1](x).sum((2, 3))
    e = D.head.embed.weight  # (features, classes)
    y1, y2 = torch.tensor([0, 1, 2, 3, 0]), torch.tensor([3, 3, 1, 0, 2])
    diff = D(x, y1) - D(x, y2)
    assert torch.allclose(diff, ((e[:, y1] - e[:, y2]).T * phi).sum(1), atol=1e-5)
    _, aux = D.forward_aux(x, y1)
    assert (aux is None) == (cond_d == "projection")
    if aux is not None:
        assert torch.allclose(aux, D.head.classifier(phi), atol=1e-5)


def test_auxiliary_head_classifies():
    head = DiscriminatorHead("acgan", 3, 10)
    assert head.classify(torch.randn(4, 10)).shape == (4, 3)


def _cond_setup(**extra):
    cfg = as_config("ring8-tiny", {"data.n": 512, "train.batch_size": 32, "model.cond_g": "concat",
                                   "model.cond_d": "acgan", **extra})
    phases = build_game(cfg, load_data(cfg), torch.device("cpu"))
    state = phases.state
    return state, phases


@pytest.mark.parametrize("cond_d, weight_d, confidence", [("acgan", None, 1.0), ("projection_acgan", None, 1.0),
                                                          ("projection_acgan", 2.0, 0.125)])
def test_acgan_losses_add_the_class_cross_entropy_by_hand(cond_d, weight_d, confidence):
    """D: adversarial + w_D·(CE(real) + CE(fake)); G: adversarial + w·mean max(CE_i(fake), −log τ) (Odena et al. 2017, eq. 2-3)."""
    state, phases = _cond_setup(**{"loss.aux_weight": 0.5, "model.cond_d": cond_d, "loss.aux_weight_d": weight_d,
                                   "loss.aux_confidence": confidence})
    seen = {}
    forward_aux = phases.D.net.forward_aux

    def spy(x, c=None):
        out = forward_aux(x, c)
        seen.setdefault("calls", []).append((x.detach(), out[0].detach(), out[1].detach()))
        return out

    phases.D.net.forward_aux = spy
    torch.manual_seed(0)
    phases.D.opt.step = lambda *a, **k: None  # keep D fixed, so the gradients left in it are those of the D loss
    out = phases.d_step(log=False, keep_fake=True)
    (xr, lr, ar), (xf, lf, af) = seen["calls"][:2]
    y = phases.batch.labels
    assert out["loss_d"] == pytest.approx(float(phases.obj.d(lr, lf)), rel=1e-5)  # logged: the adversarial part
    assert out["cls_acc_real"] == pytest.approx(float((ar.argmax(1) == y).float().mean()))
    params = list(phases.D.net.parameters())
    (lr2, ar2), (lf2, af2) = forward_aux(xr, y), forward_aux(xf, y)
    w_d = 0.5 if weight_d is None else weight_d
    by_hand = phases.obj.d(lr2, lf2) + w_d * F.cross_entropy(ar2, y) + w_d * F.cross_entropy(af2, y)
    for p, g in zip(params, torch.autograd.grad(by_hand, params)):
        assert torch.allclose(p.grad, g, atol=1e-6)
    g_out = phases.g_step(log=False)
    _, lg, ag = seen["calls"][2]
    ce = F.cross_entropy(ag, y, reduction="none")
    floored = torch.where(ce > -math.log(confidence), ce, torch.full_like(ce, -math.log(confidence)))
    # ring8's untrained classifier gives each of its 8 classes ≈ 1/8, so τ = 1/8 floors part of the batch
    if confidence < 1:  # the floor must bite on some samples and not on others for the test to mean anything
        assert 0 < int((ce < -math.log(confidence)).sum()) < len(ce)
    assert g_out["loss_g"] == pytest.approx(float(phases.obj.g(lg, None) + 0.5 * floored.mean()), rel=1e-5)


def test_acgan_real_only_drops_the_fake_term_from_d():
    state, phases = _cond_setup(**{"loss.aux_fake_in_d": False})
    grads = {}
    for flag in (True, False):
        phases.o.aux.fake_in_d = flag
        torch.manual_seed(0)
        state.batches.load_state_dict({"epoch": 0, "pos": 0})
        state.z_gen.manual_seed(0)
        phases.D.opt.step = lambda *a, **k: None
        phases.d_step(log=False)
        grads[flag] = torch.cat([p.grad.flatten() for p in phases.D.net.head.parameters()])
    assert not torch.allclose(grads[True], grads[False])


@pytest.mark.parametrize("overrides, match", [
    ({"model.cond_g": "cbn"}, "cond_d=none"),
    ({"model.cond_d": "projection"}, "cond_g=none"),
    ({"model.cond_g": "concat", "model.cond_d": "projection", "model.pack": 2}, "unconditional models only"),
    ({"model.cond_g": "cbn", "model.cond_d": "projection"}, "needs a generator with batch norm"),
    ({"model.cond_g": "film"}, "model.cond_g"),
    ({"loss.aux_weight": -1}, "aux_weight"),
    ({"loss.aux_weight_d": -1}, "aux_weight_d"),
    ({"loss.aux_confidence": 0}, "aux_confidence"),
])
def test_config_refuses_conditioning_that_makes_no_sense(overrides, match):
    with pytest.raises(ConfigError, match=match):
        as_config("ring8-tiny", overrides)
