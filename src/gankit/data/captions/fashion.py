"""Fashion-MNIST with captions: each image gets one short description of its class, drawn with a seeded generator.

Two sets of phrasings, written the way a person might describe the garment. The held-out ones never appear in
training and share no content word with their own class's training phrasings ("jeans" for trousers, "a handbag"
for a bag), so a model conditioned on them must rely on the sentence encoder to carry the meaning to phrasings
it never saw. Checked with all-MiniLM-L6-v2: every held-out phrasing's nearest training phrasing (cosine, over
all classes) is one of its own class (tests/unit/test_caption_data.py).

    class        training phrasings                                              held out
    T-shirt/top  a t-shirt, a white t-shirt, a photo of a t-shirt, a casual t-shirt,  a plain tee, a singlet
                 a cotton t-shirt, a short-sleeved top
    Trouser      a pair of trousers, trousers, a photo of trousers, some pants,     jeans, leggings
                 long pants, a pair of slacks
    Pullover     a pullover, a sweater, a knitted sweater, a photo of a pullover,   a knit jumper, a sweatshirt,
                 a warm woolly pullover, a long-sleeved sweater                      a hoodie
    Dress        a dress, a summer dress, a photo of a dress, a long dress,          a gown, an evening gown
                 a women's dress, a sleeveless dress
    Coat         a coat, a winter coat, a photo of a coat, a long coat,              a jacket, a puffer jacket
                 a warm coat with buttons, a wool coat
    Sandal       a sandal, a pair of sandals, a photo of a sandal, a summer sandal,  a pair of flip-flops,
                 a sandal with straps, an open sandal                                a beach slipper
    Shirt        a shirt, a button-up shirt, a photo of a shirt, a long-sleeved      a blouse, a button-down
                 shirt, a collared shirt, a checked shirt
    Sneaker      a sneaker, a pair of sneakers, a photo of a sneaker, a white        a pair of trainers,
                 sneaker, a sporty sneaker, a sneaker with laces                     a tennis shoe
    Bag          a bag, a shoulder bag, a photo of a bag, a leather bag,             a handbag, a purse
                 a bag with a handle, a tote bag
    Ankle boot   an ankle boot, a boot, a photo of an ankle boot, a pair of boots,   a bootie, a heeled shoe
                 a leather boot, a short boot

Natural phrasings tried and left out because MiniLM places them nearer another class: "a tee" (nearer "a
shirt"), "a jumper" (nearer "a sneaker"), "a flip-flop" and "a running shoe" (nearer ankle boots); "a frock" and
"a parka" land near nothing related. "a tank top" and "a raincoat" pass, but share a word or word part with
their class's training phrasings.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Literal

import numpy as np

from gankit.data.base import ArrayDataset
from gankit.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
from gankit.errors import DataError

Phrasings = Literal["train", "heldout"]

TRAIN_PHRASINGS: dict[str, list[str]] = {
    "T-shirt/top": ["a t-shirt", "a white t-shirt", "a photo of a t-shirt", "a casual t-shirt", "a cotton t-shirt",
                    "a short-sleeved top"],
    "Trouser": ["a pair of trousers", "trousers", "a photo of trousers", "some pants", "long pants",
                "a pair of slacks"],
    "Pullover": ["a pullover", "a sweater", "a knitted sweater", "a photo of a pullover", "a warm woolly pullover",
                 "a long-sleeved sweater"],
    "Dress": ["a dress", "a summer dress", "a photo of a dress", "a long dress", "a women's dress",
              "a sleeveless dress"],
    "Coat": ["a coat", "a winter coat", "a photo of a coat", "a long coat", "a warm coat with buttons", "a wool coat"],
    "Sandal": ["a sandal", "a pair of sandals", "a photo of a sandal", "a summer sandal", "a sandal with straps",
               "an open sandal"],
    "Shirt": ["a shirt", "a button-up shirt", "a photo of a shirt", "a long-sleeved shirt", "a collared shirt",
              "a checked shirt"],
    "Sneaker": ["a sneaker", "a pair of sneakers", "a photo of a sneaker", "a white sneaker", "a sporty sneaker",
                "a sneaker with laces"],
    "Bag": ["a bag", "a shoulder bag", "a photo of a bag", "a leather bag", "a bag with a handle", "a tote bag"],
    "Ankle boot": ["an ankle boot", "a boot", "a photo of an ankle boot", "a pair of boots", "a leather boot",
                   "a short boot"],
}
HELD_OUT_PHRASINGS: dict[str, list[str]] = {
    "T-shirt/top": ["a plain tee", "a singlet"],
    "Trouser": ["jeans", "leggings"],
    "Pullover": ["a knit jumper", "a sweatshirt", "a hoodie"],
    "Dress": ["a gown", "an evening gown"],
    "Coat": ["a jacket", "a puffer jacket"],
    "Sandal": ["a pair of flip-flops", "a beach slipper"],
    "Shirt": ["a blouse", "a button-down"],
    "Sneaker": ["a pair of trainers", "a tennis shoe"],
    "Bag": ["a handbag", "a purse"],
    "Ankle boot": ["a bootie", "a heeled shoe"],
}
_SETS = {"train": TRAIN_PHRASINGS, "heldout": HELD_OUT_PHRASINGS}


def caption_fashion(ds: ArrayDataset, phrasings: Phrasings, seed: int) -> ArrayDataset:
    """The same images with one caption each: a phrasing of the image's class, drawn uniformly (numpy, seeded)."""
    if phrasings not in _SETS:
        raise DataError(f"phrasings={phrasings!r}: use 'train' (seen in training) or 'heldout' (never seen)")
    if list(ds.class_names) != CLASS_NAMES:
        raise DataError(f"{ds.name}: classes {ds.class_names} are not Fashion-MNIST's; caption only Fashion-MNIST")
    table = [_SETS[phrasings][name] for name in CLASS_NAMES]
    y = ds.y.numpy()
    u = np.random.default_rng(seed).random(len(y))  # one draw per image, whatever its class: the seed fixes them all
    captions = [table[k][int(r * len(table[k]))] for k, r in zip(y.tolist(), u.tolist())]
    meta = {**ds.meta, "captions": "fashion", "phrasings": phrasings}
    return dataclasses.replace(ds, name="fashion-text", meta=meta, captions=captions)


def load_fashion_captions(path: str | os.PathLike | None = None, split: str = "train", size: int | None = None,
                          download: bool = False, seed: int = 0, phrasings: Phrasings = "train") -> ArrayDataset:
    """A Fashion-MNIST split (see load_fashion_mnist) with one caption per image from the chosen phrasings."""
    return caption_fashion(load_fashion_mnist(path, split, size, download), phrasings, seed)
