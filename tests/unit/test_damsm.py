"""DAMSM's losses against loop implementations and hand cases, the encoders' shapes and padding, and a tiny training run."""

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.errors import DataError
from gankit.losses.damsm import redescription_loss, sentence_loss, word_loss
from gankit.models.text_encoders import EOS, ImageEncoder, Redescriber, TextEncoder


def _cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def _two_way_loss(score, n, same=None):
    """−(1/n) Σ_i [log P(D_i|Q_i) + log P(Q_i|D_i)] with score(j, i) = γ3·R(image j, caption i), one pair at a time."""
    total = 0.0
    for i in range(n):
        # image i against every caption j, then caption i against every image j; same pairs (j ≠ i) skipped
        rows = [score(i, j) for j in range(n) if j == i or same is None or not same[i][j]]
        cols = [score(j, i) for j in range(n) if j == i or same is None or not same[j][i]]
        total -= math.log(math.exp(score(i, i)) / sum(math.exp(s) for s in rows))
        total -= math.log(math.exp(score(i, i)) / sum(math.exp(s) for s in cols))
    return total / n


def _loop_sentence_loss(img, sent, gamma3, same=None):
    img, sent = img.tolist(), sent.tolist()
    return _two_way_loss(lambda j, i: gamma3 * _cos(img[j], sent[i]), len(img), same)


def test_sentence_loss_by_hand_2x2():
    img = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    sent = torch.tensor([[2.0, 0.0], [1.0, 1.0]])  # cosines: [[1, 1/√2], [0, 1/√2]]
    g, r = 1.0, 1 / math.sqrt(2)
    expected = (-math.log(math.exp(g) / (math.exp(g) + math.exp(g * r)))      # image 0 picks caption 0
                - math.log(math.exp(g * r) / (1 + math.exp(g * r)))           # image 1 picks caption 1
                - math.log(math.exp(g) / (math.exp(g) + 1))                   # caption 0 picks image 0
                - math.log(0.5)) / 2                                          # caption 1: both images at 1/√2
    assert sentence_loss(img, sent, gamma3=g).item() == pytest.approx(expected, rel=1e-6)


def test_sentence_loss_matches_a_loop_with_and_without_masking():
    g = torch.Generator().manual_seed(0)
    img, sent = torch.randn(6, 5, generator=g), torch.randn(6, 5, generator=g)
    assert sentence_loss(img, sent, 10.0).item() == pytest.approx(_loop_sentence_loss(img, sent, 10.0), rel=1e-5)
    same = torch.zeros(6, 6, dtype=torch.bool)
    same[1, 4] = same[4, 1] = same[2, 3] = same[3, 2] = True
    same[0, 0] = True  # the diagonal is never a negative, whatever `same` says there
    expected = _loop_sentence_loss(img, sent, 10.0, same.tolist())
    assert sentence_loss(img, sent, 10.0, same).item() == pytest.approx(expected, rel=1e-5)


def test_identical_captions_are_not_negatives():
    # images 0 and 1 carry the same caption: their embeddings are equal, and the batch cannot tell them apart
    img = torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    sent = img.clone()
    unmasked = sentence_loss(img, sent, 10.0)
    same = torch.tensor([[True, True, False], [True, True, False], [False, False, True]])
    masked = sentence_loss(img, sent, 10.0, same)
    assert unmasked.item() == pytest.approx(4 * math.log(2) / 3, abs=1e-3)  # 4 of 6 picks are coin flips
    assert masked.item() < 1e-3


def _loop_word_scores(local, words, lengths, g1, g2):
    """R(image j, caption i) of eq. 7–9, one pair at a time, in the most direct form."""
    n = len(local)
    out = torch.zeros(n, n, dtype=torch.float64)
    for j in range(n):
        v = local[j].flatten(1).double()  # D×R
        for i in range(n):
            e = words[i, :, : lengths[i]].double()  # D×T
            s = v.t() @ e  # R×T
            s_bar = torch.softmax(s, dim=1)  # over words
            alpha = torch.softmax(g1 * s_bar, dim=0)  # over regions
            c = v @ alpha  # D×T
            cos = F.cosine_similarity(c, e, dim=0)
            out[j, i] = torch.log(torch.exp(g2 * cos).sum()) / g2
    return out


def test_word_loss_matches_a_per_pair_loop():
    g = torch.Generator().manual_seed(1)
    n, d = 5, 8
    local, words = torch.randn(n, d, 3, 3, generator=g), torch.randn(n, d, 6, generator=g)
    lengths = torch.tensor([6, 2, 4, 1, 5])
    words[torch.arange(6)[None, None, :].expand(n, d, 6) >= lengths[:, None, None]] = 0.0  # padding as TextEncoder's
    scores = _loop_word_scores(local, words, lengths, 4.0, 5.0)
    same = [[False] * n for _ in range(n)]
    same[0][3] = same[3][0] = True
    for mask in (None, same):
        expected = _two_way_loss(lambda j, i: 10.0 * scores[j, i].item(), n, mask)
        got = word_loss(local, words, lengths, 4.0, 5.0, 10.0, None if mask is None else torch.tensor(mask))
        assert got.item() == pytest.approx(expected, rel=1e-4)


def test_word_loss_ignores_what_lies_past_a_caption():
    g = torch.Generator().manual_seed(2)
    local, words = torch.randn(3, 4, 2, 2, generator=g), torch.randn(3, 4, 5, generator=g)
    lengths = torch.tensor([5, 2, 3])
    garbage = words.clone()
    garbage[1, :, 2:] = 7.0
    assert torch.allclose(word_loss(local, words, lengths), word_loss(local, garbage, lengths))


def test_redescription_loss_by_hand():
    g = torch.Generator().manual_seed(3)
    ids = torch.tensor([[5, 3, 4], [6, 0, 0]])
    lengths = torch.tensor([3, 1])
    logits = torch.randn(2, 4, 8, generator=g)
    # targets: [5, 3, 4, EOS] and [6, EOS]; the rest is padding
    pairs = [(0, 0, 5), (0, 1, 3), (0, 2, 4), (0, 3, EOS), (1, 0, 6), (1, 1, EOS)]
    expected = sum(F.cross_entropy(logits[n, t][None], torch.tensor([y])) for n, t, y in pairs) / len(pairs)
    assert redescription_loss(logits, ids, lengths).item() == pytest.approx(expected.item(), rel=1e-6)
    with pytest.raises(DataError, match="N×\\(L\\+1\\)"):
        redescription_loss(logits[:, :3], ids, lengths)


def test_text_encoder_padding_and_packing():
    torch.manual_seed(0)
    enc = TextEncoder(vocab_size=20, embed=8, dim=6)
    ids = torch.tensor([[3, 4, 5, 0], [7, 8, 0, 0]])
    lengths = torch.tensor([3, 2])
    words, sentence = enc(ids, lengths)
    assert words.shape == (2, 6, 4) and sentence.shape == (2, 6)
    assert (words[0, :, 3] == 0).all() and (words[1, :, 2:] == 0).all()
    # more padding changes nothing: the backward direction starts at the last real word
    words_wide, sentence_wide = enc(torch.cat([ids, torch.zeros(2, 3, dtype=torch.long)], 1), lengths)
    assert torch.allclose(words_wide[:, :, :4], words, atol=1e-6) and torch.allclose(sentence_wide, sentence, atol=1e-6)
    alone_words, alone_sentence = enc(ids[1:, :2], lengths[1:])  # a caption's features do not depend on its batch
    assert torch.allclose(alone_words, words[1:, :, :2], atol=1e-6) and torch.allclose(alone_sentence, sentence[1:], atol=1e-6)
    with pytest.raises(DataError, match="empty captions"):
        enc(ids, torch.tensor([3, 0]))


@pytest.mark.parametrize("channels,size", [(3, 32), (1, 28), (3, 16)])
def test_image_encoder_shapes(channels, size):
    enc = ImageEncoder(channels, size, dim=16, width=8)
    local, glob = enc(torch.rand(2, channels, size, size) * 2 - 1)
    assert local.shape == (2, 16, 4, 4) and glob.shape == (2, 16)
    assert ImageEncoder(channels, size, dim=16, width=8, grid=8)(torch.zeros(1, channels, size, size))[0].shape[-1] <= 8


def test_gradients_reach_both_encoders_and_the_images_through_the_redescriber():
    torch.manual_seed(0)
    text, image = TextEncoder(12, embed=8, dim=8), ImageEncoder(3, 16, dim=8, width=8)
    ids = torch.tensor([[3, 4, 5], [6, 7, 0], [8, 0, 0]])
    lengths = torch.tensor([3, 2, 1])
    words, sentence = text(ids, lengths)
    local, glob = image(torch.rand(3, 3, 16, 16) * 2 - 1)
    (sentence_loss(glob, sentence) + word_loss(local, words, lengths)).backward()
    for module in (text, image):
        for name, p in module.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, name
    captioner = Redescriber(12, channels=3, size=16, dim=8, embed=4)
    images = (torch.rand(3, 3, 16, 16) * 2 - 1).requires_grad_(True)
    logits = captioner(images, ids, lengths)
    assert logits.shape == (3, 4, 12)
    redescription_loss(logits, ids, lengths).backward()
    assert images.grad is not None and images.grad.abs().sum() > 0
    decoded = captioner.decode(images.detach(), max_len=5)
    assert decoded.shape == (3, 5) and not ((decoded == 1) | (decoded == EOS)).any()


def _solid_colours(n, size=16):
    g = torch.Generator().manual_seed(0)
    colours = torch.rand(n, 3, generator=g) * 2 - 1
    return colours[:, :, None, None].expand(n, 3, size, size).contiguous()


def test_damsm_encoders_learn_a_toy_pairing():
    torch.manual_seed(0)
    images = _solid_colours(8)
    ids, lengths = torch.arange(3, 11)[:, None], torch.ones(8, dtype=torch.long)  # 8 one-word captions
    text, image = TextEncoder(11, embed=16, dim=16), ImageEncoder(3, 16, dim=16, width=8)
    opt = torch.optim.Adam([*text.parameters(), *image.parameters()], lr=3e-3)
    for _ in range(150):
        _, sentence = text(ids, lengths)
        _, glob = image(images)
        loss = sentence_loss(glob, sentence)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        sims = F.normalize(image(images)[1], dim=1) @ F.normalize(text(ids, lengths)[1], dim=1).t()
    assert (sims.argmax(1) == torch.arange(8)).all() and (sims.argmax(0) == torch.arange(8)).all()


def test_redescriber_learns_to_caption_toy_images():
    torch.manual_seed(0)
    images = _solid_colours(4)
    ids = torch.tensor([[3, 4], [3, 5], [6, 0], [7, 0]])
    lengths = torch.tensor([2, 2, 1, 1])
    captioner = Redescriber(8, channels=3, size=16, dim=16, embed=8)
    opt = torch.optim.Adam(captioner.parameters(), lr=1e-2)
    for _ in range(100):
        loss = redescription_loss(captioner(images, ids, lengths), ids, lengths)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert torch.equal(captioner.decode(images, max_len=3), torch.cat([ids, torch.zeros(4, 1, dtype=torch.long)], 1))
