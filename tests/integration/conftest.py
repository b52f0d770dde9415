"""Shared fixtures: a tiny Fashion-MNIST written as IDX files."""

import numpy as np
import pytest

from gankit.data.idx import write_idx


@pytest.fixture
def tiny_fashion(tmp_path):
    """A folder with 64 train and 16 test images in the Fashion-MNIST file layout."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "fmnist"
    folder.mkdir()
    for split, n in (("train", 64), ("t10k", 16)):
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", (np.arange(n) % 10).astype(np.uint8))
    return folder


@pytest.fixture
def tiny_folder(tmp_path):
    """A folder of 24 random 40×40 RGB images in two class subfolders."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        sub = tmp_path / "images" / name
        sub.mkdir(parents=True)
        for i in range(12):
            Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(sub / f"{i}.png")
    return tmp_path / "images"
