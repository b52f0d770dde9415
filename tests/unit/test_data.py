"""Tests for gankit.data: toy mixtures, IDX files, Fashion-MNIST lookup/download, digits, image folders."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import math
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import FASHION_CLASSES, ArrayDataset, dataset_names, load_dataset, read_idx, write_idx
from gankit.data import fashion_mnist as fm
from gankit.data.digits import load_digits
from gankit.data.folder import load_image_folder
from gankit.data.toy2d import grid25, mixture_centres, mixture_std, ring8
from gankit.errors import DataError

# ------------------------------------------------------------------ toy 2-D mixtures


def test_ring8_centres_lie_evenly_on_the_unit_circle():
    c = mixture_centres("ring8").double()
    assert c.shape == (8, 2)
    assert torch.allclose(c.norm(dim=1), torch.ones(8, dtype=torch.float64), atol=1e-6)
    angles = torch.atan2(c[:, 1], c[:, 0]).remainder(2 * math.pi)
    assert torch.allclose(angles, torch.arange(8, dtype=torch.float64) * math.pi / 4, atol=1e-6)
    assert mixture_std("ring8") == 0.01


def test_grid25_centres_are_the_5x5_grid_with_spacing_2():
    c = mixture_centres("grid25")
    assert c.shape == (25, 2)
    coords = (-4.0, -2.0, 0.0, 2.0, 4.0)
    assert {tuple(p) for p in c.tolist()} == {(x, y) for x in coords for y in coords}
    gaps = torch.cdist(c, c) + torch.eye(25) * 100
    assert torch.allclose(gaps.min(dim=1).values, torch.full((25,), 2.0))
    assert mixture_std("grid25") == 0.05


@pytest.mark.parametrize("sampler,name,k", [(ring8, "ring8", 8), (grid25, "grid25", 25)])
def test_mixture_samples_match_the_protocol(sampler, name, k):
    ds = sampler(20_000, seed=3)
    assert isinstance(ds, ArrayDataset)
    assert ds.kind == "points" and ds.name == name
    assert ds.x.dtype == torch.float32 and ds.x.shape == (20_000, 2)
    assert ds.y.dtype == torch.int64
    assert ds.class_names == [f"mode {i}" for i in range(k)]
    centres = mixture_centres(name)
    assert ds.meta["centres"] == centres.tolist() and ds.meta["std"] == mixture_std(name)
    # Labels are the nearest centre, and every mode is used about equally.
    assert torch.equal(torch.cdist(ds.x, centres).argmin(dim=1), ds.y)
    counts = torch.bincount(ds.y, minlength=k).float()
    assert counts.min() > 0.8 * 20_000 / k
    # Residuals around the centres have the nominal std and no bias.
    residual = ds.x - centres[ds.y]
    assert residual.std().item() == pytest.approx(mixture_std(name), rel=0.05)
    assert residual.mean(dim=0).abs().max().item() < 0.1 * mixture_std(name)


def test_mixtures_are_deterministic_for_a_seed():
    a, b, c = ring8(500, seed=7), ring8(500, seed=7), ring8(500, seed=8)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


def test_mixture_rejects_bad_n_and_name():
    with pytest.raises(DataError, match="positive integer"):
        ring8(0)
    with pytest.raises(DataError, match="ring8"):
        mixture_centres("ring9")


# ------------------------------------------------------------------ IDX files


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int16])
def test_idx_round_trip(tmp_path, suffix, dtype):
    rng = np.random.default_rng(0)
    array = (rng.normal(size=(3, 5, 4)) * 50).astype(dtype)
    path = tmp_path / f"data-idx3{suffix}"
    write_idx(path, array)
    raw = path.read_bytes()
    assert raw.startswith(b"\x1f\x8b") == (suffix == ".gz")
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (3, 5, 4)
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable
    assert not list(tmp_path.glob(".*tmp")), "temp file left behind"


def test_idx_header_is_the_lecun_layout(tmp_path):
    path = tmp_path / "labels-idx1"
    write_idx(path, np.array([1, 2, 3], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 1, 2, 3])


def _good_idx_bytes() -> bytes:
    return bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))


@pytest.mark.parametrize("name,payload,problem", [
    ("truncated-idx", _good_idx_bytes()[:-2], "truncated"),
    ("short-header", b"\x00\x00", "truncated"),
    ("cut-dims", _good_idx_bytes()[:9], "truncated"),
    ("bad-magic", b"\x12\x34" + _good_idx_bytes()[2:], "not an IDX file"),
    ("bad-type", bytes([0, 0, 0x07]) + _good_idx_bytes()[3:], "not an IDX file"),
    ("trailing", _good_idx_bytes() + b"junk", "trailing garbage"),
    ("corrupt.gz", gzip.compress(_good_idx_bytes(), mtime=0)[:-12], "gzip"),
    ("flipped.gz", (lambda g: g[:12] + bytes([g[12] ^ 0xFF]) + g[13:])(gzip.compress(_good_idx_bytes(), mtime=0)), "gzip"),
])
def test_idx_corruption_raises_data_error_naming_the_file(tmp_path, name, payload, problem):
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert name in message and problem in message
    assert "re-download" in message


def test_idx_missing_file_and_unsupported_dtype(tmp_path):
    with pytest.raises(DataError, match="nope-idx"):
        read_idx(tmp_path / "nope-idx")
    with pytest.raises(DataError, match="uint8"):
        write_idx(tmp_path / "x-idx", np.zeros(3, dtype=np.complex64))


# ------------------------------------------------------------------ Fashion-MNIST

TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def make_fashion(folder: Path, n: int = 6, split_files=(TRAIN_FILES, TEST_FILES), gz: bool = True,
                 fill: int = 200, n_labels: int | None = None) -> Path:
    """Write a tiny fake Fashion-MNIST (n images of 28×28, labels 0..9 cycling) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for images_name, labels_name in split_files:
        write_idx(folder / f"{images_name}{suffix}", np.full((n, 28, 28), fill, dtype=np.uint8))
        labels = np.arange(n if n_labels is None else n_labels, dtype=np.uint8) % 10
        write_idx(folder / f"{labels_name}{suffix}", labels)
    return folder


@pytest.fixture
def no_fashion(tmp_path, monkeypatch):
    """No GANKIT_DATA, an empty Debian dir, and an empty working directory."""
    monkeypatch.delenv("GANKIT_DATA", raising=False)
    monkeypatch.delenv("GANKIT_FASHION_MNIST_URL", raising=False)
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "debian" / "fashion-mnist")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_fashion_lookup_order(no_fashion, monkeypatch):
    given = make_fashion(no_fashion / "given")
    env = make_fashion(no_fashion / "env")
    debian = make_fashion(fm.DEBIAN_DIR)
    monkeypatch.setenv("GANKIT_DATA", str(env))
    assert fm.find_fashion_mnist(given) == given
    assert fm.find_fashion_mnist() == env
    assert fm.find_fashion_mnist(no_fashion / "empty") == env  # a path without data falls through
    monkeypatch.delenv("GANKIT_DATA")
    assert fm.find_fashion_mnist() == debian


def test_fashion_env_accepts_a_fashion_mnist_subfolder(no_fashion, monkeypatch):
    make_fashion(no_fashion / "env" / "fashion-mnist")
    make_fashion(fm.DEBIAN_DIR)
    monkeypatch.setenv("GANKIT_DATA", str(no_fashion / "env"))
    assert fm.find_fashion_mnist() == no_fashion / "env" / "fashion-mnist"


@pytest.mark.parametrize("where", ["path", "env", "cwd"])
def test_fashion_torchvision_raw_layout(no_fashion, monkeypatch, where):
    root = {"path": no_fashion / "tv", "env": no_fashion / "tv", "cwd": Path("data")}[where]
    raw = make_fashion(root / "FashionMNIST" / "raw", gz=False)
    if where == "env":
        monkeypatch.setenv("GANKIT_DATA", str(root))
    found = fm.find_fashion_mnist(root if where == "path" else None)
    assert found.resolve() == raw.resolve()
    assert len(fm.load_fashion_mnist(root if where == "path" else None)) == 6


def test_fashion_debian_beats_torchvision_layout(no_fashion, monkeypatch):
    make_fashion(no_fashion / "tv" / "FashionMNIST" / "raw")
    make_fashion(fm.DEBIAN_DIR)
    assert fm.find_fashion_mnist(no_fashion / "tv") == fm.DEBIAN_DIR


def test_fashion_test_split_needs_t10k_files(no_fashion):
    train_only = make_fashion(no_fashion / "train-only", split_files=(TRAIN_FILES,))
    assert fm.find_fashion_mnist(train_only, split="train") == train_only
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte"):
        fm.find_fashion_mnist(train_only, split="test")
    with pytest.raises(DataError, match="split"):
        fm.load_fashion_mnist(train_only, split="validation")


def test_fashion_missing_lists_places_and_fixes(no_fashion, monkeypatch):
    monkeypatch.setenv("GANKIT_DATA", str(no_fashion / "env"))
    with pytest.raises(DataError) as info:
        fm.load_fashion_mnist(no_fashion / "given")
    message = str(info.value)
    for place in (no_fashion / "given", no_fashion / "env", fm.DEBIAN_DIR, Path("data") / "FashionMNIST" / "raw"):
        assert str(place) in message
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "GANKIT_DATA" in message and "data.download=true" in message


def test_fashion_load_and_resize(no_fashion):
    folder = make_fashion(no_fashion / "f", n=12)
    ds = fm.load_fashion_mnist(folder)
    assert ds.kind == "image" and ds.name == "fashion-mnist"
    assert ds.x.dtype == torch.uint8 and ds.x.shape == (12, 1, 28, 28)
    assert ds.y.dtype == torch.int64 and ds.y.tolist() == [i % 10 for i in range(12)]
    assert ds.class_names == FASHION_CLASSES == fm.CLASS_NAMES and len(FASHION_CLASSES) == 10
    padded = fm.load_fashion_mnist(folder, size=32).x
    assert padded.shape == (12, 1, 32, 32)
    assert torch.equal(padded[:, :, 2:30, 2:30], ds.x)
    border = padded.clone()
    border[:, :, 2:30, 2:30] = 0
    assert border.sum() == 0
    small = fm.load_fashion_mnist(folder, size=14).x
    assert small.shape == (12, 1, 14, 14) and small.dtype == torch.uint8
    assert torch.all(small == 200)  # a constant image stays constant under bilinear resizing


def test_fashion_count_mismatch_names_both_files(no_fashion):
    folder = make_fashion(no_fashion / "f", n=6, n_labels=5)
    with pytest.raises(DataError) as info:
        fm.load_fashion_mnist(folder)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert "6 images" in message and "5 labels" in message


def test_fashion_wrong_image_shape(no_fashion):
    folder = make_fashion(no_fashion / "f")
    write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((6, 32, 32), dtype=np.uint8))
    with pytest.raises(DataError, match="28"):
        fm.load_fashion_mnist(folder)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def file_server(tmp_path, monkeypatch):
    """Serve tmp_path/served over HTTP on 127.0.0.1; yield (folder, base_url)."""
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _md5s(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.glob("*.gz")}


@pytest.mark.loopback
def test_fashion_download_then_load(file_server, no_fashion):
    served, url = file_server
    make_fashion(served, n=4)
    dest = no_fashion / "downloaded"
    assert fm.download_fashion_mnist(dest, base_url=url, timeout=10, checksums=_md5s(served)) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(fm.CHECKSUMS)
    ds = fm.load_fashion_mnist(dest, split="test")
    assert ds.x.shape == (4, 1, 28, 28)


@pytest.mark.loopback
def test_fashion_load_with_download_uses_env_url_and_data_dir(file_server, no_fashion, monkeypatch):
    served, url = file_server
    make_fashion(served, n=3)
    monkeypatch.setenv("GANKIT_FASHION_MNIST_URL", url)
    monkeypatch.setenv("GANKIT_DATA", str(no_fashion / "store"))
    monkeypatch.setattr(fm, "CHECKSUMS", _md5s(served))
    ds = fm.load_fashion_mnist(download=True)
    assert len(ds) == 3
    assert fm.find_fashion_mnist() == no_fashion / "store" / "fashion-mnist"


@pytest.mark.loopback
def test_fashion_download_bad_checksum_leaves_nothing(file_server, no_fashion):
    served, url = file_server
    make_fashion(served, n=4)
    sums = {name: "0" * 32 for name in fm.CHECKSUMS}
    dest = no_fashion / "downloaded"
    with pytest.raises(DataError) as info:
        fm.download_fashion_mnist(dest, base_url=url, timeout=10, checksums=sums)
    message = str(info.value)
    first = next(iter(fm.CHECKSUMS))
    assert first in message and "0" * 32 in message and _md5s(served)[first] in message
    assert list(dest.iterdir()) == []


@pytest.mark.loopback
def test_fashion_download_offline_says_how_to_install(no_fashion):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = no_fashion / "downloaded"
    with pytest.raises(DataError) as info:
        fm.download_fashion_mnist(dest, base_url=f"http://127.0.0.1:{port}", timeout=5)
    assert "offline" in str(info.value) and "apt-get install dataset-fashion-mnist" in str(info.value)
    assert list(dest.iterdir()) == []


# ------------------------------------------------------------------ sklearn digits


def test_digits_shapes_range_labels():
    ds = load_digits()
    assert ds.name == "digits" and ds.kind == "image"
    assert ds.x.shape == (1797, 1, 8, 8) and ds.x.dtype == torch.uint8
    assert ds.x.min() == 0 and ds.x.max() == 255
    assert ds.y.dtype == torch.int64 and sorted(set(ds.y.tolist())) == list(range(10))
    assert ds.class_names == [str(d) for d in range(10)]
    big = load_digits(size=32)
    assert big.x.shape == (1797, 1, 32, 32) and big.x.dtype == torch.uint8
    assert torch.equal(big.y, ds.y)
    # Upscaling keeps the picture: downsampling it back lands near the original.
    back = torch.nn.functional.avg_pool2d(big.x.float(), 4)
    assert (back - ds.x.float()).abs().mean() < 20


# ------------------------------------------------------------------ image folders


def save(path: Path, size=(8, 8), color=(255, 0, 0), mode="RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)
    return path


def test_folder_class_subfolders(tmp_path):
    save(tmp_path / "dogs" / "a.png", color=(0, 0, 255))
    save(tmp_path / "cats" / "b.png")
    save(tmp_path / "cats" / "deeper" / "c.jpg")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    (tmp_path / "empty").mkdir()
    ds = load_image_folder(tmp_path)
    assert ds.name == "folder" and ds.meta == {"root": str(tmp_path)}
    assert ds.class_names == ["cats", "dogs"]
    assert ds.y.tolist() == [0, 0, 1]
    assert ds.x.shape == (3, 3, 8, 8) and ds.x.dtype == torch.uint8
    assert ds.x[2, :, 0, 0].tolist() == [0, 0, 255]  # the blue dog, channel order kept


def test_folder_single_class_gray_and_rgb(tmp_path):
    root = tmp_path / "faces"
    save(root / "a.png", color=(255, 0, 0))
    save(root / "b.bmp", color=(0, 255, 0))
    rgb = load_image_folder(root, channels=3)
    assert rgb.class_names == ["faces"] and rgb.y.tolist() == [0, 0]
    assert rgb.x.shape == (2, 3, 8, 8)
    assert rgb.x[0, :, 3, 3].tolist() == [255, 0, 0]
    gray = load_image_folder(root, channels=1)
    assert gray.x.shape == (2, 1, 8, 8)
    # ITU-R 601 luma, as Pillow's "L": red ≈ 76, green ≈ 150.
    assert gray.x[0, 0, 0, 0].item() == pytest.approx(76, abs=1)
    assert gray.x[1, 0, 0, 0].item() == pytest.approx(150, abs=1)


def test_folder_resize_shorter_side_then_centre_crop(tmp_path):
    image = Image.new("L", (40, 20), 0)
    image.paste(255, (20, 0, 40, 20))  # right half white
    image.save(tmp_path / "wide.png")
    save(tmp_path / "small.png", size=(5, 7), color=(9, 9, 9))
    with pytest.raises(DataError, match=r"smaller than the resolution 10x10(.|\n)*small.png: 5x7(.|\n)*data.upscale=true"):
        load_image_folder(tmp_path, size=10, channels=1)
    ds = load_image_folder(tmp_path, size=10, channels=1, upscale=True)
    assert ds.x.shape == (2, 1, 10, 10)
    wide = ds.x[1, 0].int()  # sorted: small.png, wide.png
    # 40×20 -> 20×10, crop columns 5..15: left half black, right half white.
    assert wide[:, :4].max() < 30 and wide[:, 6:].min() > 225
    assert torch.all(ds.x[0] == 9)


def test_folder_empty_and_missing(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "readme.txt").write_text("hi")
    with pytest.raises(DataError) as info:
        load_image_folder(tmp_path / "empty")
    assert "empty" in str(info.value) and ".png" in str(info.value) and ".jpg" in str(info.value)
    with pytest.raises(DataError, match="does not exist"):
        load_image_folder(tmp_path / "nowhere")


def test_folder_mixed_sizes_without_resize_lists_sizes(tmp_path):
    save(tmp_path / "a.png", size=(8, 8))
    save(tmp_path / "b.png", size=(16, 12))
    for kwargs in ({}, {"resize": False}):
        with pytest.raises(DataError) as info:
            load_image_folder(tmp_path, **kwargs)
        message = str(info.value)
        assert "8x8" in message and "16x12" in message
        assert "a.png" in message and "b.png" in message
        assert "data.size=64" in message
    assert load_image_folder(tmp_path, size=8).x.shape == (2, 3, 8, 8)


def test_folder_given_size_without_resize_must_match(tmp_path):
    save(tmp_path / "a.png", size=(8, 8))
    save(tmp_path / "b.png", size=(16, 16))
    with pytest.raises(DataError) as info:
        load_image_folder(tmp_path, size=8, resize=False)
    assert "expected 8x8" in str(info.value) and "b.png" in str(info.value)
    assert "a.png" not in str(info.value)


def test_folder_names_every_corrupt_file(tmp_path):
    save(tmp_path / "good.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "garbage.jpg").write_bytes(b"hello")
    good = (tmp_path / "good.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError) as info:
        load_image_folder(tmp_path)
    message = str(info.value)
    assert "3 image file(s)" in message
    for name in ("broken.png", "garbage.jpg", "cut.png"):
        assert name in message
    assert "good.png" not in message


# ------------------------------------------------------------------ registry


def test_load_dataset_unknown_name_lists_valid_names():
    with pytest.raises(DataError) as info:
        load_dataset("cifar-100")
    for name in dataset_names():
        assert name in str(info.value)
    assert dataset_names() == ["ring8", "grid25", "digits", "fashion-mnist", "stacked-fashion-mnist", "folder",
                               "fashion-pair", "edges2sneakers", "unpaired-folder", "paired-folder",
                               "chorales", "midi-folder", "scales", "shapes", "fashion-text", "caption-folder"]


def test_load_dataset_dispatch(tmp_path):
    points = load_dataset("grid25", n=50, seed=1)
    assert points.name == "grid25" and len(points) == 50
    assert torch.equal(points.x, grid25(50, seed=1).x)
    assert len(load_dataset("ring8", n=None, seed=0)) == 100_000
    with pytest.raises(DataError, match="path"):
        load_dataset("folder")
    save(tmp_path / "a.png")
    assert load_dataset("folder", path=tmp_path).x.shape == (1, 3, 8, 8)
    assert load_dataset("folder", path=tmp_path, channels=1).x.shape == (1, 1, 8, 8)


def test_load_dataset_subset_and_channels():
    sub = load_dataset("digits", n=100, seed=4, channels=3)
    assert sub.x.shape == (100, 3, 8, 8)
    assert torch.equal(sub.x[:, 0], sub.x[:, 2])
    again = load_dataset("digits", n=100, seed=4)
    assert torch.equal(again.y, sub.y) and len(set(sub.y.tolist())) == 10
    with pytest.raises(DataError, match="1797"):
        load_dataset("digits", n=5000)


def test_load_dataset_fashion_passes_path_split_and_size(no_fashion):
    folder = make_fashion(no_fashion / "f", n=5)
    ds = load_dataset("fashion-mnist", path=folder, split="test", size=32)
    assert ds.x.shape == (5, 1, 32, 32) and ds.meta["split"] == "test"


def test_folder_cache_is_reused_and_invalidated_by_a_changed_file(tmp_path, monkeypatch):
    import gankit.data.folder as folder_mod

    images = tmp_path / "imgs"
    images.mkdir()
    for i in range(3):
        save(images / f"{i}.png", size=(8, 8), color=(10 * i, 0, 0))
    cache = tmp_path / "cache"
    first = load_image_folder(images, size=8, channels=1, cache_dir=cache)
    assert len(list(cache.glob("folder-*.npy"))) == 1
    calls = []
    monkeypatch.setattr(folder_mod, "decode_image", lambda *a: calls.append(a) or (_ for _ in ()).throw(AssertionError))
    again = load_image_folder(images, size=8, channels=1, cache_dir=cache)  # served from the cache: no decoding
    assert not calls and torch.equal(first.x, again.x) and torch.equal(first.y, again.y)
    monkeypatch.undo()
    save(images / "1.png", size=(8, 8), color=(200, 0, 0))  # a changed file is a new cache entry
    import os
    os.utime(images / "1.png", ns=(1, 1))
    changed = load_image_folder(images, size=8, channels=1, cache_dir=cache)
    assert not torch.equal(changed.x, first.x) and len(list(cache.glob("folder-*.npy"))) == 2


def test_xflip_batches_cover_each_image_and_its_mirror_once_per_epoch():
    from gankit.training.batches import EpochBatches

    x = torch.arange(4 * 1 * 2 * 3, dtype=torch.uint8).view(4, 1, 2, 3)
    b = EpochBatches(x, torch.arange(4), batch_size=8, seed=0, transform=lambda t: t, xflip=True)
    batch, labels = b.next()
    seen = sorted((int(y), bool(torch.equal(img, x[y].flip(-1)))) for img, y in zip(batch, labels))
    assert seen == [(i, f) for i in range(4) for f in (False, True)]


def test_resident_batches_are_the_host_batches():
    """A dataset kept on the device draws the batches the host path draws, across epochs and a resume."""
    from gankit.training.batches import EpochBatches

    x, y = torch.randint(0, 256, (10, 1, 2, 3), dtype=torch.uint8), torch.arange(10)
    host, resident = (EpochBatches(x, y, batch_size=4, seed=3, xflip=True, resident=r) for r in (False, True))
    assert not host.resident and resident.resident
    for _ in range(7):
        (a, ya), (b, yb) = host.next(), resident.next()
        assert torch.equal(a, b) and torch.equal(ya, yb)
    resident.load_state_dict(host.state_dict())
    assert all(torch.equal(u, v) for u, v in zip(host.next(), resident.next()))


@pytest.mark.parametrize("name, size, ok", [("digits", 8, True), ("digits", 16, False), ("fashion-mnist", 32, True),
                                            ("fashion-mnist", 64, False)])
def test_registry_refuses_enlarging_unless_upscale(name, size, ok, tmp_path):
    from gankit.data.registry import load_dataset

    if not ok:
        with pytest.raises(DataError, match=f"data.size={size} would enlarge them.*data.upscale=true"):
            load_dataset(name, size=size, path=tmp_path)
    if name == "digits":
        assert load_dataset(name, size=size, upscale=True).x.shape[-1] == size
