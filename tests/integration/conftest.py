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
