"""edges2sneakers: pix2pix's edges→photo task made from Fashion-MNIST, with Canny edge maps (Canny 1986) from scikit-image.

A = the edge map of each Sneaker (white outlines, 255, on black, 0), B = the Sneaker itself, in the
same order, so A row i pairs with B row i (the layout of gankit.data.pairs). σ = 1 keeps the outline
closed and the main seams at 28 px; larger σ loses the seams, smaller σ adds texture noise.
"""

from __future__ import annotations

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.data.fashion_mnist import CLASS_NAMES
from gankit.data.pairs import translation_dataset

EDGE_SIGMA = 1.0
SNEAKER = CLASS_NAMES.index("Sneaker")


def edge_maps(images: torch.Tensor, sigma: float = EDGE_SIGMA) -> torch.Tensor:
    """Canny edges of grey uint8 images N×1×H×W, as uint8 N×1×H×W with edges 255 and the rest 0."""
    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(f"edge_maps takes grey images N×1×H×W, got {tuple(images.shape)}")
    from skimage.feature import canny  # lazy: scikit-image's feature module (0.3 s) only where edge maps are made

    arr = images[:, 0].numpy().astype(np.float64) / 255.0
    edges = np.stack([canny(im, sigma=sigma) for im in arr]) if len(arr) else np.zeros_like(arr, dtype=bool)
    return torch.from_numpy(edges.astype(np.uint8) * 255)[:, None]


def edges_to_sneakers(fashion: ArrayDataset) -> ArrayDataset:
    """The paired dataset: A = edge maps of the Sneakers of a Fashion-MNIST split, B = those Sneakers."""
    sneakers = fashion.x[fashion.y == SNEAKER]
    return translation_dataset(edge_maps(sneakers), sneakers, ("edges", "Sneaker"), "edges2sneakers", paired=True,
                               meta={"edge_sigma": EDGE_SIGMA, "classes": [None, SNEAKER]})
