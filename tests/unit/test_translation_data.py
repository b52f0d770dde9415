"""Two-domain translation datasets: the contract (gankit.data.pairs), fashion-pair and the folder layouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import load_dataset
from gankit.data.base import ArrayDataset
from gankit.data.fashion_mnist import CLASS_NAMES, find_fashion_mnist, load_fashion_mnist
from gankit.data.pairs import domain_images, is_translation, to_channels, translation_dataset, translation_subset
from gankit.errors import DataError


def _have_fashion() -> bool:
    try:
        find_fashion_mnist()
        return True
    except DataError:
        return False


needs_fashion = pytest.mark.skipif(not _have_fashion(),
                                   reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def _images(n: int, c: int, hw: int = 4, start: int = 0) -> torch.Tensor:
    """n constant images whose value is their index (+ start), so rows can be traced."""
    v = torch.arange(start, start + n, dtype=torch.uint8).view(n, 1, 1, 1)
    return v.expand(n, c, hw, hw).contiguous()


def _save(path: Path, color, size=(40, 40), mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


def _two_lines(e: pytest.ExceptionInfo) -> str:
    message = str(e.value)
    assert message.count("\n") <= 1, message
    return message


# ------------------------------------------------------------------ the contract


def test_contract_rows_labels_names_and_grey_to_rgb():
    a, b = _images(3, 1), _images(2, 3, start=10)
    ds = translation_dataset(a, b, ("grey", "colour"), "toy", paired=False, meta={"root": "x"})
    assert ds.x.shape == (5, 3, 4, 4) and ds.x.dtype == torch.uint8 and ds.kind == "image" and ds.name == "toy"
    assert ds.y.tolist() == [0, 0, 0, 1, 1] and ds.y.dtype == torch.int64
    assert ds.class_names == ["grey", "colour"]
    assert ds.meta == {"root": "x", "domains": ["grey", "colour"], "paired": False}
    assert is_translation(ds) and ds.info()["domains"] == ["grey", "colour"]
    assert torch.equal(domain_images(ds, 0), a.expand(-1, 3, -1, -1))
    assert torch.equal(domain_images(ds, 1), b)
    plain = ArrayDataset(x=a, y=torch.zeros(3, dtype=torch.int64), class_names=["x"], kind="image", name="plain")
    assert not is_translation(plain)
    with pytest.raises(DataError, match="not a two-domain dataset"):
        domain_images(plain, 0)


def test_forced_channels_use_bt601_luma_like_pillow():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(1, 8, 8, 3), dtype=np.uint8)
    x = torch.from_numpy(rgb).permute(0, 3, 1, 2).contiguous()
    grey = translation_dataset(x, x, ("a", "b"), "t", paired=True, channels=1)
    assert grey.x.shape == (2, 1, 8, 8)
    pil = np.asarray(Image.fromarray(rgb[0]).convert("L"), dtype=np.int16)
    assert np.abs(grey.x[0, 0].numpy().astype(np.int16) - pil).max() <= 1
    assert torch.equal(to_channels(_images(2, 1), 3), _images(2, 3))
    assert torch.equal(to_channels(_images(2, 3), 1), _images(2, 1))  # equal channels give the same grey


@pytest.mark.parametrize("a, b, kwargs, match", [
    (_images(2, 1, hw=4), _images(2, 1, hw=5), {}, "give both one size"),
    (_images(2, 1), _images(3, 1), {"paired": True}, "as many images each"),
    (_images(0, 1), _images(3, 1), {}, "has no images"),
    (_images(2, 1), _images(2, 1), {"channels": 2}, "use 1 .grey. or 3"),
    (_images(2, 2), _images(2, 1), {}, "C 1 or 3"),
])
def test_contract_refuses_bad_domains(a, b, kwargs, match):
    kwargs = {"paired": False, **kwargs}
    with pytest.raises(DataError, match=match):
        translation_dataset(a, b, ("a", "b"), "t", **kwargs)


def test_subset_keeps_domain_order_and_pairs():
    ds = translation_dataset(_images(10, 1), _images(10, 1, start=100), ("a", "b"), "t", paired=True)
    sub = translation_subset(ds, 4, seed=3)
    a, b = domain_images(sub, 0), domain_images(sub, 1)
    assert sub.y.tolist() == [0] * 4 + [1] * 4
    assert torch.equal(b, a + 100)  # pair i stays pair i
    assert torch.equal(translation_subset(ds, 4, seed=3).x, sub.x)
    unpaired = translation_dataset(_images(10, 1), _images(5, 1, start=100), ("a", "b"), "t", paired=False)
    with pytest.raises(DataError, match="smaller domain has 5"):
        translation_subset(unpaired, 6, seed=0)


# ------------------------------------------------------------------ fashion-pair


@needs_fashion
def test_fashion_pair_default_domains_are_sneaker_and_ankle_boot():
    ds = load_dataset("fashion-pair", split="test")
    fm = load_fashion_mnist(split="test")
    assert ds.class_names == ["Sneaker", "Ankle boot"] and ds.meta["domains"] == ["Sneaker", "Ankle boot"]
    assert ds.meta["paired"] is False and ds.name == "fashion-pair" and ds.kind == "image"
    assert torch.equal(domain_images(ds, 0), fm.x[fm.y == 7])
    assert torch.equal(domain_images(ds, 1), fm.x[fm.y == 9])
    assert ds.y.tolist() == [0] * 1000 + [1] * 1000


@needs_fashion
def test_fashion_pair_custom_domains_case_insensitive_with_options():
    ds = load_dataset("fashion-pair", split="test", domains=["trouser", "BAG"], size=32, channels=3, n=7, seed=2)
    assert ds.class_names == ["Trouser", "Bag"] and ds.meta["domains"] == ["Trouser", "Bag"]
    assert ds.x.shape == (14, 3, 32, 32) and ds.y.tolist() == [0] * 7 + [1] * 7
    fm = load_fashion_mnist(split="test", size=32)
    trousers = fm.x[fm.y == CLASS_NAMES.index("Trouser")]
    a = domain_images(ds, 0)[:, :1]
    assert all(any(torch.equal(img, t) for t in trousers) for img in a)


@pytest.mark.parametrize("domains, match", [
    (["Sneaker", "Snickers"], "unknown class 'Snickers'.*Valid classes: .*Ankle boot"),
    (["sneaker", "Sneaker"], "'Sneaker' twice"),
    (["Sneaker"], "exactly two class names"),
])
def test_fashion_pair_refuses_bad_domains(domains, match):
    # the domains are checked before Fashion-MNIST is read, so these run without it
    with pytest.raises(DataError, match=match) as e:
        load_dataset("fashion-pair", domains=domains)
    _two_lines(e)


# ------------------------------------------------------------------ unpaired-folder


def _cyclegan_root(root: Path, split: str = "train", b_mode: str = "L") -> Path:
    for i in range(3):
        _save(root / f"{split}A" / f"a{i}.png", (200, 10 * i, 0))
    for i in range(2):
        _save(root / f"{split}B" / f"b{i}.png", 50 + i if b_mode == "L" else (50 + i, 0, 0), mode=b_mode)
    return root


def test_unpaired_folder_loads_both_domains_and_repeats_a_grey_one(tmp_path):
    root = _cyclegan_root(tmp_path / "root")
    ds = load_dataset("unpaired-folder", path=root, size=32)
    assert ds.x.shape == (5, 3, 32, 32) and ds.y.tolist() == [0, 0, 0, 1, 1]
    assert ds.class_names == ["A", "B"] and ds.meta["domains"] == ["A", "B"] and ds.meta["paired"] is False
    assert ds.meta["folders"] == ["trainA", "trainB"]
    assert domain_images(ds, 0)[:, :, 16, 16].tolist() == [[200, 0, 0], [200, 10, 0], [200, 20, 0]]
    assert domain_images(ds, 1)[:, :, 16, 16].tolist() == [[50, 50, 50], [51, 51, 51]]
    grey = load_dataset("unpaired-folder", path=root, size=32, channels=1)
    assert grey.x.shape == (5, 1, 32, 32) and grey.x[0, 0, 0, 0] == round(0.299 * 200)


def test_unpaired_folder_both_grey_stays_grey_and_reads_the_test_split(tmp_path):
    root = tmp_path / "root"
    for split in ("train", "test"):
        for d in "AB":
            _save(root / f"{split}{d}" / "x.png", 7 if split == "test" else 9, size=(48, 48), mode="L")
    ds = load_dataset("unpaired-folder", path=root, split="test")  # size None: the native 48x48
    assert ds.x.shape == (2, 1, 48, 48) and ds.x.unique().tolist() == [7]


def test_unpaired_folder_missing_or_empty_domain_says_what_it_needs(tmp_path):
    root = tmp_path / "root"
    _save(root / "trainA" / "a.png", (1, 2, 3))
    with pytest.raises(DataError, match=r"trainB is missing; .*trainA/ and trainB/") as e:
        load_dataset("unpaired-folder", path=root, size=32)
    _two_lines(e)
    (root / "trainB").mkdir()
    (root / "trainB" / "notes.txt").write_text("no images here")
    with pytest.raises(DataError, match="trainB holds no image files") as e:
        load_dataset("unpaired-folder", path=root, size=32)
    _two_lines(e)
    with pytest.raises(DataError, match="needs the root folder"):
        load_dataset("unpaired-folder")


def test_unpaired_folder_names_a_corrupt_file(tmp_path):
    root = _cyclegan_root(tmp_path / "root")
    (root / "trainB" / "broken.png").write_bytes(b"this is not a png")
    with pytest.raises(DataError, match="broken.png"):
        load_dataset("unpaired-folder", path=root, size=32, cache=False)


@pytest.mark.parametrize("name", ["unpaired-folder", "paired-folder"])
@pytest.mark.parametrize("size", [16, 300])
def test_sizes_outside_32_to_256_are_refused(tmp_path, name, size):
    root = _cyclegan_root(tmp_path / "root")
    with pytest.raises(DataError, match=r"outside 32\.\.256") as e:
        load_dataset(name, path=root, size=size)
    _two_lines(e)


def test_native_size_must_be_square_and_in_range(tmp_path):
    root = tmp_path / "root"
    for d in "AB":
        _save(root / f"train{d}" / "x.png", (1, 2, 3), size=(20, 20))
    with pytest.raises(DataError, match=r"20x20.*32\.\.256") as e:
        load_dataset("unpaired-folder", path=root)
    _two_lines(e)


# ------------------------------------------------------------------ paired-folder


def _side_by_side(path: Path, left: int, right: int, h: int = 32, w: int | None = None) -> None:
    w = 2 * h if w is None else w
    image = Image.new("RGB", (w, h), (left, left, 0))
    image.paste((right, 0, right), (w // 2, 0, w, h))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def test_paired_folder_side_by_side_splits_left_a_right_b(tmp_path):
    root = tmp_path / "root"
    for i in range(3):
        _side_by_side(root / "train" / f"{i}.png", left=10 + i, right=100 + i)
    ds = load_dataset("paired-folder", path=root, size=32)
    assert ds.x.shape == (6, 3, 32, 32) and ds.y.tolist() == [0, 0, 0, 1, 1, 1]
    assert ds.meta["paired"] is True and ds.meta["layout"] == "side-by-side"
    a, b = domain_images(ds, 0), domain_images(ds, 1)
    assert a[:, 0].unique().tolist() == [10, 11, 12] and b[:, 0].unique().tolist() == [100, 101, 102]
    assert torch.equal(b[:, 0, 0, 0], a[:, 0, 0, 0] + 90)  # row i of A pairs with row i of B
    assert torch.equal(b[:, 1], torch.zeros_like(b[:, 1]))
    half = load_dataset("paired-folder", path=root, size=32, n=2, seed=1)
    assert torch.equal(domain_images(half, 1)[:, 0, 0, 0], domain_images(half, 0)[:, 0, 0, 0] + 90)


def test_paired_folder_side_by_side_resizes_and_uses_the_cache(tmp_path):
    root = tmp_path / "root"
    for i in range(2):
        _side_by_side(root / "test" / f"{i}.png", left=10 + i, right=100 + i, h=64)
    first = load_dataset("paired-folder", path=root, split="test", size=32)
    again = load_dataset("paired-folder", path=root, split="test", size=32)
    assert first.x.shape == (4, 3, 32, 32) and torch.equal(first.x, again.x)


def test_paired_folder_names_a_file_of_the_wrong_width(tmp_path):
    root = tmp_path / "root"
    _side_by_side(root / "train" / "good.png", 1, 2)
    _side_by_side(root / "train" / "odd.png", 1, 2, w=50)
    with pytest.raises(DataError, match=r"odd\.png \(50x32\).*\nThey are not twice as wide as high") as e:
        load_dataset("paired-folder", path=root, size=32, cache=False)
    assert "good.png" not in _two_lines(e)


def test_paired_folder_names_a_corrupt_file(tmp_path):
    root = tmp_path / "root"
    _side_by_side(root / "train" / "good.png", 1, 2)
    (root / "train" / "bad.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(DataError, match=r"bad\.jpg.*\nThey cannot be read") as e:
        load_dataset("paired-folder", path=root, size=32, cache=False)
    _two_lines(e)


def test_paired_folder_by_name_reorders_b_to_match_a(tmp_path):
    root = tmp_path / "root"
    # load order differs: trainA sorts x0 before x_A, trainB sorts x before x0
    _save(root / "trainA" / "x_A.png", (10, 0, 0), size=(32, 32))
    _save(root / "trainA" / "x0.png", (20, 0, 0), size=(32, 32))
    _save(root / "trainB" / "x.png", (110, 0, 0), size=(32, 32))
    _save(root / "trainB" / "x0.png", (120, 0, 0), size=(32, 32))
    ds = load_dataset("paired-folder", path=root)
    assert ds.meta["layout"] == "by-name" and ds.meta["paired"] is True
    a, b = domain_images(ds, 0)[:, 0, 0, 0], domain_images(ds, 1)[:, 0, 0, 0]
    assert a.tolist() == [20, 10] and b.tolist() == [120, 110]


def test_paired_folder_by_name_lists_unmatched_files(tmp_path):
    root = tmp_path / "root"
    for name in ("a", "b", "c", "d", "e", "f", "g"):
        _save(root / "trainA" / f"{name}.png", (1, 1, 1), size=(32, 32))
    for name in ("a", "z"):
        _save(root / "trainB" / f"{name}.png", (1, 1, 1), size=(32, 32))
    with pytest.raises(DataError) as e:
        load_dataset("paired-folder", path=root)
    message = _two_lines(e)
    assert "6 of 7 files in trainA/" in message and "(b, c, d, e, f, ...)" in message
    assert "1 of 2 in trainB/" in message and "(z)" in message


@pytest.mark.parametrize("folders, match", [
    (("train", "trainA"), "holds both train/"),
    (("val",), "has neither train/"),
])
def test_paired_folder_layout_must_be_one_of_two(tmp_path, folders, match):
    for folder in folders:
        (tmp_path / folder).mkdir()
    with pytest.raises(DataError, match=match) as e:
        load_dataset("paired-folder", path=tmp_path, size=32)
    _two_lines(e)
