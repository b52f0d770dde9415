"""The caption book's groups: shapes captions of one scene share one, so they are never each other's mismatch."""

import torch

from gankit.data.captions.shapes import scene_key
from gankit.data.registry import load_dataset
from gankit.games.text2img.captions import caption_book


def test_shapes_captions_of_one_scene_share_a_group():
    data = load_dataset("shapes", split="train", n=2000)
    book = caption_book(data.captions, data.y, data.info(), "damsm", 18, torch.device("cpu"), None)
    keys = [scene_key(t) for t in book.texts]
    for i in range(0, len(book.texts), 7):
        for j in range(0, len(book.texts), 13):
            assert bool(book.same(torch.tensor(i), torch.tensor(j))) == (keys[i] == keys[j])
    assert len(set(book.groups.tolist())) == len(set(keys)) < len(book.texts)
