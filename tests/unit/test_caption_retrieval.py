"""Caption retrieval: the blend against a hand-computed case, a training caption retrieving itself, the lazy memory."""

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.config.schema import ConfigError, TextConfig
from gankit.models.dfgan import DFGenerator
from gankit.models.retrieval import CaptionRetrieval


def test_blend_matches_a_hand_computed_softmax():
    r = CaptionRetrieval(2, tau=0.1)
    r.remember(torch.tensor([[1.0, 0.0], [0.0, 3.0]]))  # the cosine ignores length; the blend keeps it
    c1, c2 = 2 / math.sqrt(5), 1 / math.sqrt(5)  # cos of (2, 1) with each row
    w1 = math.exp(c1 / 0.1) / (math.exp(c1 / 0.1) + math.exp(c2 / 0.1))
    out = r(torch.tensor([[2.0, 1.0], [1.0, 1.0]]))
    torch.testing.assert_close(out[0], torch.tensor([w1, 3 * (1 - w1)]))
    torch.testing.assert_close(out[1], torch.tensor([0.5, 1.5]))  # equally near both: the mean


def test_a_remembered_caption_retrieves_itself_and_a_near_one_its_neighbour():
    torch.manual_seed(0)
    memory = F.normalize(torch.randn(60, 384), dim=1)
    r = CaptionRetrieval(384, tau=0.01)
    r.remember(memory)
    torch.testing.assert_close(r(memory), memory, atol=1e-6, rtol=0)
    near = F.normalize(memory[7] + 0.5 * F.normalize(torch.randn(384), dim=0), dim=0)  # cos ≈ 0.9 with row 7
    assert r.weights(near[None])[0, 7] > 0.999


def test_an_empty_memory_is_the_identity_and_a_saved_one_is_loaded_at_its_length():
    s = torch.randn(3, 8)
    assert torch.equal(CaptionRetrieval(8, tau=0.05)(s), s)
    saved = CaptionRetrieval(8, tau=0.05)
    saved.remember(torch.randn(5, 8))
    fresh = CaptionRetrieval(8, tau=0.05)
    fresh.load_state_dict(saved.state_dict())
    assert torch.equal(fresh.memory, saved.memory) and torch.equal(fresh(s), saved(s))
    with pytest.raises(ValueError, match="K×8"):
        fresh.remember(torch.randn(5, 7))
    with pytest.raises(ValueError, match="> 0"):
        CaptionRetrieval(8, tau=0.0)


def test_g_draws_a_training_caption_as_without_retrieval_and_a_new_one_as_its_neighbour():
    torch.manual_seed(0)
    plain = DFGenerator(8, 16, width=4, size=8)
    with torch.no_grad():  # the fusion starts as the identity; give the text a say
        for p in plain.parameters():
            p.add_(0.2 * torch.randn_like(p))
    G = DFGenerator(8, 16, width=4, size=8, retrieve=0.01)
    G.load_state_dict(plain.state_dict(), strict=False)  # the same weights; only the memory is G's own
    memory = F.normalize(torch.randn(4, 16), dim=1)
    G.retrieval.remember(memory)
    z = torch.randn(4, 8)
    torch.testing.assert_close(G(z, memory), plain(z, memory), atol=1e-5, rtol=0)
    new = F.normalize(memory[2] + 0.3 * F.normalize(torch.randn(16), dim=0), dim=0).expand(4, -1)
    torch.testing.assert_close(G(z, new), plain(z, memory[2].expand(4, -1)), atol=1e-4, rtol=0)
    assert not torch.allclose(plain(z, new), plain(z, memory[2].expand(4, -1)), atol=1e-4)


def test_a_negative_temperature_is_refused():
    with pytest.raises(ConfigError, match="text.retrieve"):
        TextConfig(retrieve=-0.1)
