"""Two-domain datasets for image-to-image translation (CycleGAN unpaired, pix2pix paired).

The contract: a translation dataset is an ordinary ArrayDataset with
  x           uint8 N×C×H×W = torch.cat([domain A images, domain B images]); both domains share C, H, W;
  y           int64, 0 on the rows of domain A and 1 on those of domain B (all A rows first, then all B rows);
  class_names [name of domain A, name of domain B];  kind "image";  name the dataset's name;
  meta        {"domains": [name A, name B], "paired": bool, ...}.
When paired there are n A rows then n B rows, and A row i pairs with B row i (x[i] ↔ x[n + i]).
Unpaired domains may differ in size. `is_translation` tells such a dataset by meta["domains"].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import torch

from gankit.data.base import ArrayDataset
from gankit.data.classes import resolve_class
from gankit.errors import ConfigError, DataError

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, the weights Pillow's convert("L") uses


def to_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """uint8 N×C×H×W with C in {1, 3} -> `channels` channels: grey is repeated, RGB becomes BT.601 luma."""
    have = x.shape[1]
    if have == channels:
        return x
    if have == 1 and channels == 3:
        return x.expand(-1, 3, -1, -1).contiguous()
    if have == 3 and channels == 1:
        w = torch.tensor(LUMA, dtype=torch.float32).view(1, 3, 1, 1)
        return (x.float() * w).sum(1, keepdim=True).round_().clamp_(0, 255).to(torch.uint8)
    raise DataError(f"cannot convert {have}-channel images to {channels} channel(s); "
                    f"use channels=1 (grey) or 3 (RGB)")


def _check_domain(x: torch.Tensor, name: str, dataset_name: str) -> None:
    if x.dtype != torch.uint8 or x.dim() != 4 or x.shape[1] not in (1, 3):
        raise DataError(f"{dataset_name}: domain {name!r} must be uint8 N×C×H×W with C 1 or 3, "
                        f"got {x.dtype} {tuple(x.shape)}")
    if len(x) == 0:
        raise DataError(f"{dataset_name}: domain {name!r} has no images; give it at least one")


def translation_dataset(a: torch.Tensor, b: torch.Tensor, names: tuple[str, str], dataset_name: str, paired: bool,
                        meta: dict[str, Any] | None = None, channels: int | None = None) -> ArrayDataset:
    """Build a translation dataset (the contract above) from the images of domains A and B.

    channels: None gives both domains the larger channel count (grey repeated to RGB); 1 or 3 forces it.
    """
    name_a, name_b = names
    _check_domain(a, name_a, dataset_name)
    _check_domain(b, name_b, dataset_name)
    if a.shape[2:] != b.shape[2:]:
        raise DataError(f"{dataset_name}: domain {name_a!r} images are {a.shape[3]}x{a.shape[2]} but {name_b!r} "
                        f"ones are {b.shape[3]}x{b.shape[2]}; give both one size (data.size)")
    if paired and len(a) != len(b):
        raise DataError(f"{dataset_name}: paired domains need as many images each, got {len(a)} {name_a!r} "
                        f"and {len(b)} {name_b!r}; remove the unpaired ones")
    if channels not in (None, 1, 3):
        raise DataError(f"channels={channels!r}: use 1 (grey) or 3 (RGB), or leave it unset")
    c = max(a.shape[1], b.shape[1]) if channels is None else channels
    x = torch.cat([to_channels(a, c), to_channels(b, c)])
    y = torch.cat([torch.zeros(len(a), dtype=torch.int64), torch.ones(len(b), dtype=torch.int64)])
    return ArrayDataset(x=x, y=y, class_names=[name_a, name_b], kind="image", name=dataset_name,
                        meta={**(meta or {}), "domains": [name_a, name_b], "paired": bool(paired)})


def is_translation(ds: ArrayDataset) -> bool:
    """Whether a dataset follows the translation contract (its meta names the domains)."""
    return "domains" in ds.meta


def domain_images(ds: ArrayDataset, domain: int) -> torch.Tensor:
    """The uint8 rows of domain 0 (A) or 1 (B) of a translation dataset, in their stored order."""
    if not is_translation(ds):
        raise DataError(f"{ds.name} is not a two-domain dataset (its meta has no 'domains'); "
                        f"use a translation dataset such as fashion-pair or unpaired-folder")
    if domain not in (0, 1):
        raise ValueError(f"domain must be 0 (A) or 1 (B), got {domain!r}")
    return ds.x[ds.y == domain]


def resolve_domains(spec: Sequence[str | int], class_names: Sequence[str]) -> tuple[int, int]:
    """Two class names (case-insensitive) or indices -> two distinct class indices; errors list the valid names."""
    if isinstance(spec, str) or len(spec) != 2:
        raise DataError(f"data.domains needs exactly two class names, got {spec!r}; "
                        f"e.g. --set 'data.domains=[Sneaker, Ankle boot]'")
    try:
        i, j = (resolve_class(s, class_names) for s in spec)
    except ConfigError as e:
        raise DataError(f"data.domains: {e}") from None
    if i == j:
        raise DataError(f"data.domains names the class {class_names[i]!r} twice; choose two different classes")
    return i, j


def translation_subset(ds: ArrayDataset, n: int, seed: int) -> ArrayDataset:
    """A seeded random n images of each domain (n pairs when paired), kept in their stored order."""
    a, b = domain_images(ds, 0), domain_images(ds, 1)
    most = min(len(a), len(b))
    if not isinstance(n, int) or not 1 <= n <= most:
        raise DataError(f"{ds.name}: asked for n={n!r} images per domain but the smaller domain has {most}; "
                        f"pass 1 <= n <= {most} or leave n unset for all")
    g = torch.Generator().manual_seed(int(seed))
    ia = torch.randperm(len(a), generator=g)[:n].sort().values
    ib = ia if ds.meta.get("paired") else torch.randperm(len(b), generator=g)[:n].sort().values
    y = torch.cat([torch.zeros(n, dtype=torch.int64), torch.ones(n, dtype=torch.int64)])
    return dataclasses.replace(ds, x=torch.cat([a[ia], b[ib]]), y=y, meta={**ds.meta, "subset": {"n": n, "seed": seed}})
