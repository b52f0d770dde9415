"""Hard mismatches: each caption's nearest captions of other groups, by hand, and never one of its own group."""

from types import SimpleNamespace

import pytest
import torch

from gankit.config.schema import ConfigError, TextConfig
from gankit.data.captions.shapes import scene_key
from gankit.data.registry import load_dataset
from gankit.games.text2img.captions import CaptionBook, caption_book
from gankit.games.text2img.game import HARD_K, TextGame, TextOptions


def _book(cond: torch.Tensor, groups: list[int]) -> CaptionBook:
    n = len(groups)
    return CaptionBook([f"c{i}" for i in range(n)], torch.arange(n), torch.tensor(groups),
                       torch.zeros(n, 1, dtype=torch.long), torch.ones(n, dtype=torch.long), cond=cond)


def test_nearest_others_are_ranked_by_cosine_and_skip_the_own_group():
    cond = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]])
    book = _book(cond * torch.tensor([[1.0], [5.0], [1.0], [2.0], [1.0]]), [0, 0, 1, 2, 3])  # length is ignored
    near = book.nearest_others(2)
    assert near[0].tolist() == [2, 3]  # caption 1 is nearer but in caption 0's group
    assert near[2].tolist() == [1, 0]
    assert near[3].tolist() == [2, 1]
    assert near[4].tolist() == [3, 2]  # cos 0 with 3, then the least negative
    assert not book.same(torch.arange(5)[:, None], near).any()


def test_nearest_others_in_chunks_equal_one_pass_and_pad_when_short():
    torch.manual_seed(0)
    cond, groups = torch.randn(50, 8), torch.randint(0, 7, (50,)).tolist()
    book = _book(cond, groups)
    assert torch.equal(book.nearest_others(8, chunk=7), book.nearest_others(8))
    small = _book(torch.randn(3, 4), [0, 1, 1])
    near = small.nearest_others(4)  # caption 0 has two captions of other groups: the nearest repeats
    assert near.shape == (3, 4) and sorted(near[0, :2].tolist()) == [1, 2] and near[0, 2:].tolist() == [near[0, 0].item()] * 2
    lonely = _book(torch.randn(2, 4), [0, 0]).nearest_others(1)  # no other group: itself, which `same` rejects
    assert lonely[:, 0].tolist() == [0, 1]


def test_hard_mismatch_is_a_share_of_the_batch():
    assert TextConfig(hard_mismatch=0.5).hard_mismatch == 0.5
    with pytest.raises(ConfigError, match="hard_mismatch"):
        TextConfig(hard_mismatch=1.5)


def test_the_game_draws_the_hard_share_from_the_nearest_and_the_rest_from_the_batch():
    torch.manual_seed(1)
    book = _book(torch.randn(40, 6), list(range(40)))
    player = SimpleNamespace(net=None)
    state = SimpleNamespace(players={"G": player, "D": player, "E": player}, z_gen=torch.Generator().manual_seed(0))
    game = TextGame(state, None, TextOptions(hard_mismatch=0.25), book)
    game.nearest = book.nearest_others(HARD_K)
    rows = torch.randperm(40)[:16]
    other, valid = game._mismatch(rows)
    assert valid.all()
    for i in range(4):  # a quarter of 16: one of the row's HARD_K nearest captions
        assert other[i] in game.nearest[rows[i]]
    assert torch.equal(other[4:], rows.roll(1)[4:])


def test_shapes_captions_of_one_scene_share_a_group():
    data = load_dataset("shapes", split="train", n=2000)
    book = caption_book(data.captions, data.y, data.info(), "damsm", 18, torch.device("cpu"), None)
    keys = [scene_key(t) for t in book.texts]
    for i in range(0, len(book.texts), 7):
        for j in range(0, len(book.texts), 13):
            assert bool(book.same(torch.tensor(i), torch.tensor(j))) == (keys[i] == keys[j])
    assert len(set(book.groups.tolist())) == len(set(keys)) < len(book.texts)
