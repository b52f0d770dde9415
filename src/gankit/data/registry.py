"""Dataset names -> loaders, written out by hand (no import-time registration), and one entry point."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from gankit.data.base import ArrayDataset, Kind
from gankit.data.cache import default_cache_dir
from gankit.data.captions.fashion import load_fashion_captions
from gankit.data.captions.folder import load_caption_folder
from gankit.data.captions.shapes import load_shapes
from gankit.data.digits import load_digits
from gankit.data.domain_folders import load_paired_folder, load_unpaired_folder
from gankit.data.edges import edges_to_sneakers
from gankit.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
from gankit.data.folder import load_image_folder
from gankit.data.music import MusicOptions, music_corpus
from gankit.data.pairs import is_translation, resolve_domains, translation_dataset, translation_subset
from gankit.data.stacked import load_stacked_fashion_mnist
from gankit.data.toy2d import grid25, ring8
from gankit.errors import DataError
from gankit.text.words import Vocabulary

DEFAULT_POINTS = 100_000
DEFAULT_FASHION_DOMAINS = ("Sneaker", "Ankle boot")


@dataclass(frozen=True)
class DatasetRequest:
    """Every option load_dataset accepts; each loader reads the ones that apply to it."""

    path: str | os.PathLike | None = None
    size: int | None = None
    channels: int | None = None
    n: int | None = None
    seed: int = 0
    download: bool = False
    split: str = "train"
    upscale: bool = False
    cache: bool = True
    domains: tuple[str, ...] | list | None = None
    music: MusicOptions | Mapping[str, Any] | None = None  # music datasets: grid, tokens, windows and split (None: the defaults)


def _ring8(r: DatasetRequest) -> ArrayDataset:
    return ring8(DEFAULT_POINTS if r.n is None else r.n, r.seed)


def _grid25(r: DatasetRequest) -> ArrayDataset:
    return grid25(DEFAULT_POINTS if r.n is None else r.n, r.seed)


def _refuse_upscaling(name: str, native: int, r: DatasetRequest, lossless: tuple[int, ...] = ()) -> None:
    """Enlarging images only blurs them: a size above the native one needs data.upscale=true."""
    if r.size is not None and r.size > native and r.size not in lossless and not r.upscale:
        pad = f" ({', '.join(map(str, lossless))} pads without resampling)" if lossless else ""
        raise DataError(f"{name} images are {native}x{native}; data.size={r.size} would enlarge them{pad}. "
                        f"Allow it with --set data.upscale=true, or choose a size ≤ {native}")


def _digits(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("digits", 8, r)
    return load_digits(r.size)


def _fashion_mnist(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("fashion-mnist", 28, r, lossless=(32,))
    return load_fashion_mnist(r.path, split=r.split, size=r.size, download=r.download)


def _stacked(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("stacked-fashion-mnist", 28, r, lossless=(32,))
    # the test split is stacked with its own seed so that it never repeats the training stacks
    seed = r.seed if r.split == "train" else r.seed + 1
    return load_stacked_fashion_mnist(r.path, n=r.n, seed=seed, split=r.split, size=r.size, download=r.download)


def _folder(r: DatasetRequest) -> ArrayDataset:
    if r.path is None:
        raise DataError("dataset 'folder' needs the folder of images: pass path=/your/images "
                        "(CLI: --set data.path=/your/images)")
    return load_image_folder(r.path, size=r.size, channels=3 if r.channels is None else r.channels,
                             upscale=r.upscale, cache_dir=default_cache_dir() if r.cache else None)


def _fashion_pair(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("fashion-pair", 28, r, lossless=(32,))
    i, j = resolve_domains(DEFAULT_FASHION_DOMAINS if r.domains is None else r.domains, CLASS_NAMES)
    ds = load_fashion_mnist(r.path, split=r.split, size=r.size, download=r.download)
    return translation_dataset(ds.x[ds.y == i], ds.x[ds.y == j], (CLASS_NAMES[i], CLASS_NAMES[j]), "fashion-pair",
                               paired=False, meta={**ds.meta, "classes": [i, j]}, channels=r.channels)


def _edges2sneakers(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("edges2sneakers", 28, r, lossless=(32,))
    return edges_to_sneakers(load_fashion_mnist(r.path, split=r.split, size=r.size, download=r.download))


def _cache_dir(r: DatasetRequest) -> Path | None:
    return default_cache_dir() if r.cache else None


def _unpaired_folder(r: DatasetRequest) -> ArrayDataset:
    return load_unpaired_folder(r.path, split=r.split, size=r.size, channels=r.channels, upscale=r.upscale,
                                cache_dir=_cache_dir(r))


def _paired_folder(r: DatasetRequest) -> ArrayDataset:
    return load_paired_folder(r.path, split=r.split, size=r.size, channels=r.channels, upscale=r.upscale,
                              cache_dir=_cache_dir(r))


def _music(name: str) -> Callable[[DatasetRequest], ArrayDataset]:
    def load(r: DatasetRequest) -> ArrayDataset:
        return music_corpus(name, path=r.path, n=r.n, music=r.music, cache=r.cache).dataset(r.split)

    return load


SHAPES_SEED = 0  # the shapes are one fixed dataset, whatever the run's seed (its splits use streams of their own)


def _with_vocabulary(ds: ArrayDataset) -> ArrayDataset:
    """Captioned images carry their caption vocabulary in meta (a run folder keeps it to encode new captions)."""
    assert ds.captions is not None
    return dataclasses.replace(ds, meta={**ds.meta, "caption_vocabulary": Vocabulary.from_captions(ds.captions).words})


def _shapes(r: DatasetRequest) -> ArrayDataset:
    if r.size not in (None, 32):
        raise DataError(f"shapes images are defined at 32x32 (the checker reads them there); data.size={r.size} "
                        "is not offered. Leave data.size unset")
    return _with_vocabulary(load_shapes(r.split, r.n, SHAPES_SEED))


def _fashion_text(r: DatasetRequest) -> ArrayDataset:
    _refuse_upscaling("fashion-text", 28, r, lossless=(32,))
    return _with_vocabulary(load_fashion_captions(r.path, split=r.split, size=r.size, download=r.download,
                                                  seed=SHAPES_SEED))


def _caption_folder(r: DatasetRequest) -> ArrayDataset:
    if r.path is None:
        raise DataError("dataset 'caption-folder' needs a folder of images with captions.jsonl: "
                        "--set data.path=/your/folder")
    return _with_vocabulary(load_caption_folder(r.path, size=r.size, channels=3 if r.channels is None else r.channels,
                                                upscale=r.upscale, cache_dir=_cache_dir(r), split=r.split))


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset: its loader, whether it holds points, images or tokens, and whether it has a held-out test split.

    class_names: the names when they are known without loading (None: read from the data, e.g. a folder's).
    """

    load: Callable[[DatasetRequest], ArrayDataset]
    kind: Kind
    held_out: bool = False
    class_names: tuple[str, ...] | None = None
    captioned: bool = False


DATASETS: dict[str, DatasetEntry] = {
    "ring8": DatasetEntry(_ring8, "points", class_names=tuple(f"mode {k}" for k in range(8))),
    "grid25": DatasetEntry(_grid25, "points", class_names=tuple(f"mode {k}" for k in range(25))),
    "digits": DatasetEntry(_digits, "image", class_names=tuple(str(d) for d in range(10))),
    "fashion-mnist": DatasetEntry(_fashion_mnist, "image", held_out=True, class_names=tuple(CLASS_NAMES)),
    "stacked-fashion-mnist": DatasetEntry(_stacked, "image", held_out=True),
    "folder": DatasetEntry(_folder, "image"),
    # two-domain translation sets (gankit.data.pairs): x = A rows then B rows, y = 0 for A and 1 for B
    "fashion-pair": DatasetEntry(_fashion_pair, "image", held_out=True),
    "edges2sneakers": DatasetEntry(_edges2sneakers, "image", held_out=True, class_names=("edges", "Sneaker")),
    "unpaired-folder": DatasetEntry(_unpaired_folder, "image", held_out=True, class_names=("A", "B")),
    "paired-folder": DatasetEntry(_paired_folder, "image", held_out=True, class_names=("A", "B")),
    # music as int64 windows of token ids (gankit.data.music); the split is by piece, seeded by music.split_seed
    "chorales": DatasetEntry(_music("chorales"), "tokens", held_out=True, class_names=("music",)),
    "midi-folder": DatasetEntry(_music("midi-folder"), "tokens", held_out=True, class_names=("music",)),
    "scales": DatasetEntry(_music("scales"), "tokens", class_names=("music",)),
    # captioned images (gankit.data.captions): ArrayDataset.captions holds one caption per image
    "shapes": DatasetEntry(_shapes, "image", held_out=True, class_names=("one object", "two objects"), captioned=True),
    "fashion-text": DatasetEntry(_fashion_text, "image", held_out=True, class_names=tuple(CLASS_NAMES), captioned=True),
    "caption-folder": DatasetEntry(_caption_folder, "image", held_out=True, captioned=True),
}


def dataset_names() -> list[str]:
    """Names accepted by load_dataset, in registry order."""
    return list(DATASETS)


def dataset_entry(name: str) -> DatasetEntry:
    """The registry entry of a dataset; an unknown name lists the valid ones."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; valid names: {', '.join(dataset_names())}")
    return DATASETS[name]


def dataset_kind(name: str) -> Kind:
    """'points', 'image' or 'tokens' for a dataset name."""
    return dataset_entry(name).kind


def dataset_captioned(name: str) -> bool:
    """Whether a dataset's images come with captions (the text-to-image game's data)."""
    return dataset_entry(name).captioned


def _match_channels(ds: ArrayDataset, channels: int | None) -> ArrayDataset:
    """Repeat a grayscale channel to RGB when asked; other changes are refused."""
    have = ds.x.shape[1]
    if channels is None or channels == have:
        return ds
    if have == 1 and channels == 3:
        return dataclasses.replace(ds, x=ds.x.expand(-1, 3, -1, -1).contiguous())
    raise DataError(f"{ds.name} has {have} channel(s); cannot give {channels}. Use channels={have} "
                    f"(CLI: --set data.channels={have}) or leave it unset")


def _subset(ds: ArrayDataset, n: int, seed: int) -> ArrayDataset:
    """A seeded random subset of n images, so small runs see every class."""
    if not isinstance(n, int) or not 1 <= n <= len(ds):
        raise DataError(f"{ds.name}: asked for n={n!r} images but it has {len(ds)}; "
                        f"pass 1 <= n <= {len(ds)} or leave n unset for all")
    idx = torch.randperm(len(ds), generator=torch.Generator().manual_seed(int(seed)))[:n]
    captions = None if ds.captions is None else [ds.captions[i] for i in idx.tolist()]
    return dataclasses.replace(ds, x=ds.x[idx], y=ds.y[idx], captions=captions,
                               meta={**ds.meta, "subset": {"n": n, "seed": seed}})


def load_dataset(name: str, *, path: str | os.PathLike | None = None, size: int | None = None,
                 channels: int | None = None, n: int | None = None, seed: int = 0, download: bool = False,
                 split: str = "train", upscale: bool = False, cache: bool = True,
                 domains: tuple[str, ...] | list | None = None,
                 music: MusicOptions | Mapping[str, Any] | None = None) -> ArrayDataset:
    """Load a dataset by name; options that do not apply to it are ignored.

    For 2-D mixtures n is the sample count (default 100 000) and seed drives sampling.
    For image sets n keeps a seeded random subset, and channels=3 repeats a gray channel.
    Image folders: `upscale` allows images smaller than `size`; `cache` keeps decoded arrays on disk.
    Translation sets (gankit.data.pairs): `domains` picks fashion-pair's two classes; n keeps n images
    of each domain (n pairs when paired).
    Music (kind 'tokens', gankit.data.music): `music` shapes the tokens (MusicOptions, a mapping of its
    fields, or None for defaults); n keeps a subset of n pieces fixed by music.split_seed (scales: n
    sentences); split is train, val or test.
    """
    entry = dataset_entry(name)
    if domains is not None and not isinstance(domains, str):
        domains = tuple(domains)
    request = DatasetRequest(path=path, size=size, channels=channels, n=n, seed=seed, download=download,
                             split=split, upscale=upscale, cache=cache, domains=domains, music=music)
    ds = entry.load(request)
    if ds.kind == "image" and name != "shapes":  # points, tokens and shapes loaders apply n themselves
        ds = _match_channels(ds, channels)
        if n is not None:
            ds = translation_subset(ds, n, seed) if is_translation(ds) else _subset(ds, n, seed)
    return ds
