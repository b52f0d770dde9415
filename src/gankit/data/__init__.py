"""Datasets held in memory: 2-D mixtures, IDX/Fashion-MNIST, sklearn digits and image folders."""

from gankit.data.base import ArrayDataset
from gankit.data.fashion_mnist import CLASS_NAMES as FASHION_CLASSES
from gankit.data.idx import read_idx, write_idx
from gankit.data.registry import dataset_names, load_dataset

__all__ = ["ArrayDataset", "FASHION_CLASSES", "dataset_names", "load_dataset", "read_idx", "write_idx"]
