"""Captioned image data: Fashion-MNIST phrasings (seen and held out) and a user's folder with captions.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import fashion_mnist as fm
from gankit.data.base import ArrayDataset
from gankit.data.captions.fashion import HELD_OUT_PHRASINGS, TRAIN_PHRASINGS, caption_fashion, load_fashion_captions
from gankit.data.captions.folder import CAPTIONS_FILE, in_test_split, load_caption_folder
from gankit.data.idx import write_idx
from gankit.errors import DataError
from gankit.text.minilm import load_minilm
from gankit.text.words import check_caption, split_words

# ---------------------------------------------------------------- Fashion-MNIST phrasings

FILLER = {"a", "an", "the", "of", "pair", "some", "photo", "with"}  # words that carry no garment


def test_every_class_has_varied_training_and_held_out_phrasings():
    assert list(TRAIN_PHRASINGS) == list(HELD_OUT_PHRASINGS) == fm.CLASS_NAMES
    for name in fm.CLASS_NAMES:
        train, held = TRAIN_PHRASINGS[name], HELD_OUT_PHRASINGS[name]
        assert len(set(train)) == len(train) >= 5 and len(set(held)) == len(held) >= 2
        for i, text in enumerate(train + held):
            check_caption(text, i)


def test_held_out_phrasings_share_no_content_word_with_their_class_in_training():
    everything = {p for ps in TRAIN_PHRASINGS.values() for p in ps}
    for name, held in HELD_OUT_PHRASINGS.items():
        seen = {w for p in TRAIN_PHRASINGS[name] for w in split_words(p)} - FILLER
        for text in held:
            assert text not in everything
            assert not set(split_words(text)) & seen, (name, text)


@pytest.fixture(scope="module")
def encoder():
    return load_minilm("cpu")


def test_minilm_carries_each_held_out_phrasing_to_its_own_class(encoder):
    """The held-out split's premise: the nearest training phrasing (cosine, all classes) is of the same class."""
    train = [(name, p) for name, ps in TRAIN_PHRASINGS.items() for p in ps]
    e_train = encoder.encode([p for _, p in train])
    held = [(name, p) for name, ps in HELD_OUT_PHRASINGS.items() for p in ps]
    nearest = (encoder.encode([p for _, p in held]) @ e_train.T).argmax(dim=1).tolist()
    wrong = [(p, name, train[j]) for (name, p), j in zip(held, nearest) if train[j][0] != name]
    assert not wrong, wrong


def _fashion_like(n: int = 200) -> ArrayDataset:
    y = torch.arange(n) % 10
    return ArrayDataset(x=torch.zeros(n, 1, 28, 28, dtype=torch.uint8), y=y, class_names=list(fm.CLASS_NAMES),
                        kind="image", name="fashion-mnist", meta={"split": "train"})


@pytest.mark.parametrize("phrasings, table", [("train", TRAIN_PHRASINGS), ("heldout", HELD_OUT_PHRASINGS)])
def test_caption_fashion_draws_a_phrasing_of_each_image_class(phrasings, table):
    ds = caption_fashion(_fashion_like(), phrasings, seed=3)
    assert ds.name == "fashion-text" and ds.meta == {"split": "train", "captions": "fashion", "phrasings": phrasings}
    assert all(text in table[fm.CLASS_NAMES[k]] for k, text in zip(ds.y.tolist(), ds.captions))
    assert {p for ps in table.values() for p in ps} == set(ds.captions)  # 200 draws use every phrasing
    assert caption_fashion(_fashion_like(), phrasings, seed=3).captions == ds.captions
    assert caption_fashion(_fashion_like(), phrasings, seed=4).captions != ds.captions


def test_caption_fashion_refuses_other_data_or_phrasings():
    with pytest.raises(DataError, match="'train'.*'heldout'"):
        caption_fashion(_fashion_like(), "test", seed=0)
    other = ArrayDataset(x=torch.zeros(2, 1, 4, 4, dtype=torch.uint8), y=torch.zeros(2, dtype=torch.int64),
                         class_names=["a"], kind="image", name="x")
    with pytest.raises(DataError, match="not Fashion-MNIST's"):
        caption_fashion(other, "train", seed=0)


def test_load_fashion_captions_reads_the_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    for images, labels, n in (("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 30),
                              ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 20)):
        write_idx(tmp_path / images, rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(tmp_path / labels, np.arange(n, dtype=np.uint8) % 10)
    ds = load_fashion_captions(tmp_path, split="test", size=32, seed=1, phrasings="heldout")
    assert ds.x.shape == (20, 1, 32, 32) and ds.name == "fashion-text" and len(ds.captions) == 20
    assert ds.meta["phrasings"] == "heldout" and ds.meta["captions"] == "fashion" and ds.meta["split"] == "test"
    assert ds.captions[0] in HELD_OUT_PHRASINGS["T-shirt/top"] and ds.captions[8] in HELD_OUT_PHRASINGS["Bag"]
    assert load_fashion_captions(tmp_path, seed=1).captions[:20] != ds.captions


# ---------------------------------------------------------------- caption folder

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255), (9, 9, 9), (200, 90, 30)]


def _folder(root: Path, lines: list | None = None, size=(12, 10)) -> Path:
    """8 solid-colour PNGs under img/, and captions.jsonl with two captions for the first two images."""
    (root / "img").mkdir(parents=True)
    for i, colour in enumerate(COLOURS):
        Image.new("RGB", size, colour).save(root / "img" / f"{i}.png")
    if lines is None:
        lines = [{"file": f"img/{i}.png", "caption": f"picture number {i}"} for i in range(8)]
        lines += [{"file": "./img/0.png", "caption": "another caption of zero"},
                  {"file": "img/1.png", "caption": "another caption of one"}]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    (root / CAPTIONS_FILE).write_text(text + "\n\n")
    return root


def test_caption_folder_gives_one_sample_per_line_split_by_image(tmp_path):
    root = _folder(tmp_path / "birds")
    train = load_caption_folder(root, split="train", test_share=0.3)
    test = load_caption_folder(root, split="test", test_share=0.3)
    assert train.name == test.name == "caption-folder" and train.kind == "image"
    assert len(train) + len(test) == 10 and len(test) > 0 and len(train) > 0
    assert sorted(train.captions + test.captions) == sorted(
        [f"picture number {i}" for i in range(8)] + ["another caption of zero", "another caption of one"])
    assert train.x.shape[1:] == (3, 10, 12) and train.x.dtype == torch.uint8
    assert train.class_names == ["birds"] and (train.y == 0).all()
    for ds in (train, test):
        for x, text in zip(ds.x, ds.captions):
            i = 0 if "zero" in text else 1 if "one" in text else int(text.split()[-1])
            assert x[:, 0, 0].tolist() == list(COLOURS[i])  # each caption sits with its own image
            assert in_test_split(f"img/{i}.png", 0.3) == (ds is test)  # one image's captions stay together
    assert load_caption_folder(root, split="test", test_share=0.3).captions == test.captions  # deterministic


def test_caption_folder_resizes_and_caches(tmp_path, monkeypatch):
    root = _folder(tmp_path / "f")
    first = load_caption_folder(root, size=8, channels=1, cache_dir=tmp_path / "cache", test_share=0.0)
    assert first.x.shape == (10, 1, 8, 8) and len(list((tmp_path / "cache").iterdir())) == 1
    import gankit.data.captions.folder as folder

    monkeypatch.setattr(folder, "_decode_all", lambda *a: pytest.fail("decoded again despite the cache"))
    again = load_caption_folder(root, size=8, channels=1, cache_dir=tmp_path / "cache", test_share=0.0)
    assert torch.equal(again.x, first.x) and again.captions == first.captions


def test_caption_folder_small_images_and_mixed_sizes_are_refused(tmp_path):
    root = _folder(tmp_path / "f")
    with pytest.raises(DataError, match="smaller than 16x16"):
        load_caption_folder(root, size=16, test_share=0.0)
    assert load_caption_folder(root, size=16, upscale=True, test_share=0.0).x.shape == (10, 3, 16, 16)
    Image.new("RGB", (20, 20)).save(root / "img" / "3.png")
    with pytest.raises(DataError, match="different sizes"):
        load_caption_folder(root, test_share=0.0)


def test_caption_folder_missing_folder_or_captions_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_caption_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match='no captions.jsonl.*\n.*"file".*"caption"') as e:
        load_caption_folder(tmp_path / "empty")
    assert str(e.value).count("\n") <= 1


def test_caption_folder_reports_every_bad_line(tmp_path):
    lines = [{"file": "img/0.png", "caption": "fine"}, "not json {", {"file": "img/1.png"}, {"caption": "x"},
             {"file": "img/2.png", "caption": " ?! "}, "[1, 2]", {"file": "/abs/3.png", "caption": "x"}]
    root = _folder(tmp_path / "f", lines)
    with pytest.raises(DataError) as e:
        load_caption_folder(root)
    msg = str(e.value)
    assert "6 bad line(s)" in msg and msg.count("\n") <= 1
    for part in ("line 2: not JSON", "line 3: missing key 'caption'", "line 4: missing key 'file'",
                 "line 5: empty caption", "line 6: not a JSON object", "line 7: 'file' is an absolute path"):
        assert part in msg
    many = _folder(tmp_path / "g", ["oops"] * 13)
    with pytest.raises(DataError, match=r"13 bad line\(s\): line 1: not JSON; .*line 10: not JSON; and 3 more"):
        load_caption_folder(many)


def test_caption_folder_names_missing_images_by_line(tmp_path):
    lines = [{"file": "img/0.png", "caption": "ok"}, {"file": "img/zz.png", "caption": "gone"},
             {"file": "img/1.png", "caption": "ok"}, {"file": "img/yy.png", "caption": "gone too"}]
    root = _folder(tmp_path / "f", lines)
    with pytest.raises(DataError, match=r"2 line\(s\) name image files that do not exist \(lines 2, 4; "
                                        r"first: 'img/zz.png'\)\nFix: add the images"):
        load_caption_folder(root)


def test_caption_folder_names_a_corrupt_image(tmp_path):
    root = _folder(tmp_path / "f")
    (root / "img" / "5.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"1 image file\(s\) cannot be read: .*5\.png") as e:
        load_caption_folder(root)
    assert str(e.value).count("\n") <= 1


def test_caption_folder_checks_its_options(tmp_path):
    root = _folder(tmp_path / "f")
    with pytest.raises(DataError, match="no split 'valid'"):
        load_caption_folder(root, split="valid")
    with pytest.raises(DataError, match="test_share"):
        load_caption_folder(root, test_share=1.0)
    with pytest.raises(DataError, match="none of its 8 images falls in the test split"):
        load_caption_folder(root, split="test", test_share=0.0)
