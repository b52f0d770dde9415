"""CycleGAN's and pix2pix's reconstruction terms against hand computations, and the history pool's swap rule."""

import torch

from gankit.games.translation.pool import ImagePool
from gankit.losses.translation import cycle_loss, identity_loss, paired_l1_loss


def _img(*values):
    return torch.tensor(values, dtype=torch.float32).view(1, 1, 1, len(values))


def test_cycle_loss_by_hand():
    a, a_back = _img(0.0, 1.0), _img(0.5, 0.0)          # |diff| = 0.5, 1.0 -> mean 0.75
    b, b_back = _img(-1.0, -1.0), _img(-1.0, 1.0)       # |diff| = 0, 2 -> mean 1.0
    assert torch.isclose(cycle_loss(a, a_back, b, b_back, 10.0), torch.tensor(10 * (0.75 + 1.0)))


def test_identity_loss_by_hand_and_its_pairing():
    a, b = _img(0.0, 0.0), _img(1.0, 1.0)
    f_of_a, g_of_b = _img(0.2, -0.2), _img(1.0, 0.0)     # F(a) vs a: 0.2; G(b) vs b: 0.5
    assert torch.isclose(identity_loss(a, f_of_a, b, g_of_b, 5.0), torch.tensor(5 * (0.2 + 0.5)))
    # each generator is compared with its own input: swapping the roles changes the value
    assert not torch.isclose(identity_loss(a, g_of_b, b, f_of_a, 5.0), torch.tensor(5 * (0.2 + 0.5)))


def test_paired_l1_by_hand_and_gradient():
    fake = _img(0.0, 0.5, -0.5).requires_grad_(True)
    target = _img(1.0, 0.5, 0.5)
    loss = paired_l1_loss(fake, target, 100.0)
    assert torch.isclose(loss, torch.tensor(100 * (1.0 + 0.0 + 1.0) / 3))
    loss.backward()  # d/dfake of λ·mean|fake − y| = λ·sign(fake − y)/n (0 where they are equal)
    assert torch.allclose(fake.grad.flatten(), torch.tensor([-100 / 3, 0.0, -100 / 3]))


def _batch(start, n=4):
    return torch.arange(start, start + n, dtype=torch.float32).view(n, 1, 1, 1)


def test_pool_fills_first_then_swaps_half_the_time():
    pool = ImagePool(size=8, seed=0)
    out = pool.query(_batch(0, 8))
    assert torch.equal(out, _batch(0, 8)), "while the pool fills, D sees the new images"
    swaps, n = 0, 0
    for step in range(1, 4001):  # one image per query, so each swap can be checked on its own
        stored_before = set(pool.images.flatten().tolist())
        new = _batch(100 * step, 1)
        got = pool.query(new)
        stored_after = pool.images.flatten().tolist()
        for x_new, x_out in zip(new.flatten().tolist(), got.flatten().tolist()):
            n += 1
            if x_out != x_new:  # a swap: D sees an old image, which leaves the pool; the new one takes its place
                swaps += 1
                assert x_out in stored_before and x_out not in stored_after and x_new in stored_after
    assert len(pool.images) == 8
    # Binomial(4000, 1/2): ±5σ is ±158
    assert abs(swaps - n / 2) < 160, f"{swaps} swaps in {n} queries"


def test_pool_resumes_exactly_and_size_zero_passes_through():
    a = ImagePool(size=5, seed=3)
    for k in range(4):
        a.query(_batch(10 * k))
    b = ImagePool(size=5, seed=99)
    b.load_state_dict(a.state_dict())
    for k in range(4, 10):
        assert torch.equal(a.query(_batch(10 * k)), b.query(_batch(10 * k)))
    off = ImagePool(size=0, seed=0)
    assert torch.equal(off.query(_batch(7)), _batch(7))
