"""EMA of G: the update rule, the start step, and buffers."""

import torch
from torch import nn

from gankit.training.ema import EMA


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_update_rule():
    net = _net()
    ema = EMA(net, decay=0.9)
    before = [p.detach().clone() for p in ema.model.parameters()]
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    ema.update(net, step=1)
    for e, b, p in zip(ema.model.parameters(), before, net.parameters()):
        torch.testing.assert_close(e, 0.9 * b + 0.1 * p, rtol=0, atol=1e-6)


def test_geometric_average_over_many_steps():
    net = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(0.0)
    ema = EMA(net, decay=0.5)
    for t, v in enumerate([1.0, 2.0, 4.0], start=1):
        with torch.no_grad():
            net.weight.fill_(v)
        ema.update(net, t)
    # ((0*.5 + 1*.5)*.5 + 2*.5)*.5 + 4*.5 = 2.625
    assert ema.model.weight.item() == 2.625


def test_follows_model_before_start_and_copies_buffers():
    net = _net()
    ema = EMA(net, decay=0.99, start=10)
    net(torch.randn(8, 3))  # updates BN running stats
    with torch.no_grad():
        net[0].weight.mul_(3)
    ema.update(net, step=5)
    torch.testing.assert_close(ema.model[0].weight, net[0].weight)
    torch.testing.assert_close(ema.model[1].running_mean, net[1].running_mean)
    assert not any(p.requires_grad for p in ema.model.parameters())


def test_ramp_up_caps_the_half_life_at_a_fraction_of_the_steps_so_far():
    ema = EMA(nn.Linear(1, 1), decay=0.999, rampup=0.05)
    for step in (1, 10, 100, 1500):
        half_life = 0.05 * step  # in steps: β^h = 1/2
        assert abs(ema.beta(step) - 0.5 ** (1 / half_life)) < 1e-12
    assert ema.beta(1_000_000) == 0.999  # long runs reach the configured decay
    assert EMA(nn.Linear(1, 1), decay=0.999).beta(1500) == 0.999  # rampup=0: the plain rule


def test_ramp_up_forgets_the_initialisation():
    """After 1500 constant steps the plain EMA still holds 0.999^1500 ≈ 22% of θ_0; the ramped one ≈ 0."""
    plain, ramped = (nn.Linear(1, 1, bias=False) for _ in range(2))
    live = nn.Linear(1, 1, bias=False)
    for net in (plain, ramped, live):
        with torch.no_grad():
            net.weight.fill_(0.0)
    emas = EMA(plain, 0.999), EMA(ramped, 0.999, rampup=0.05)
    with torch.no_grad():
        live.weight.fill_(1.0)
    for step in range(1, 1501):
        for e in emas:
            e.update(live, step)
    init_share = [1 - e.model.weight.item() for e in emas]
    assert abs(init_share[0] - 0.999**1500) < 1e-4 and init_share[1] < 1e-6


class _TinyG(nn.Module):
    """A Generator-protocol network with one BatchNorm: z (4) -> Linear -> BN -> x."""

    z_dim, num_classes = 4, 0

    def __init__(self):
        super().__init__()
        self.fc, self.bn = nn.Linear(4, 3), nn.BatchNorm1d(3)

    def forward(self, z, c=None):
        return self.bn(self.fc(z))


def test_batchnorm_statistics_are_measured_for_the_averaged_weights():
    """After ready(), BN's running mean/var are those of the average's own pre-BN activations on the fixed latents."""
    from gankit.training.ema import CALIBRATION_BATCHES, CALIBRATION_SEED, CALIBRATION_SIZE

    torch.manual_seed(0)
    live = _TinyG()
    ema = EMA(live, decay=0.5)
    live(torch.randn(64, 4) * 5 + 3)  # live statistics that do not fit the average
    with torch.no_grad():
        live.fc.weight.mul_(2)
    ema.update(live, step=1)
    G = ema.ready()
    gen = torch.Generator().manual_seed(CALIBRATION_SEED)
    z = torch.cat([torch.randn(CALIBRATION_SIZE, 4, generator=gen) for _ in range(CALIBRATION_BATCHES)])
    with torch.no_grad():
        h = G.fc(z)
    torch.testing.assert_close(G.bn.running_mean, h.mean(0), rtol=1e-5, atol=1e-6)
    per_batch_var = torch.stack([b.var(0, unbiased=True) for b in h.split(CALIBRATION_SIZE)])
    torch.testing.assert_close(G.bn.running_var, per_batch_var.mean(0), rtol=1e-5, atol=1e-6)
    assert not G.training and G.bn.momentum == 0.1
