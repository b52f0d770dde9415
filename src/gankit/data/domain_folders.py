"""Two-domain image folders for translation, in the layouts of junyanz/pytorch-CycleGAN-and-pix2pix.

Unpaired (CycleGAN): a root holding trainA/ and trainB/ (testA/ and testB/ for split=test), each
with the images of one domain. Paired, in one of two layouts chosen by which subfolders exist:
  side-by-side (pix2pix): root/train/ (root/test/) holds images twice as wide as high, A on the left
                          half and B on the right;
  by name:                root/trainA/ + root/trainB/ whose files pair by stem (a trailing _A / _B
                          is ignored, so maps' 1_A.jpg pairs with 1_B.jpg).
A root with both train/ and trainA/ (or trainB/) is refused as ambiguous.
Both return translation datasets (see gankit.data.pairs) with domains "A" and "B".
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from gankit.data.base import ArrayDataset
from gankit.data.cache import cache_key, load_cached, save_cached
from gankit.data.folder import IMAGE_EXTENSIONS, READ_ERRORS, RESAMPLE, discover_images, images_under, load_image_folder
from gankit.data.pairs import translation_dataset
from gankit.errors import DataError

SIZE_RANGE = (32, 256)
SPLITS = ("train", "test")
DOMAINS = ("A", "B")
_SHOWN = 5


# ---------------------------------------------------------------- checks

def check_size(size: int | None) -> None:
    """Translation sizes run from 32 to 256 pixels (None keeps the images' own square size)."""
    lo, hi = SIZE_RANGE
    if size is not None and (not isinstance(size, int) or not lo <= size <= hi):
        raise DataError(f"data.size={size!r} is outside {lo}..{hi}, the sizes image translation supports; "
                        f"pass a size from {lo} to {hi}, e.g. --set data.size=128")


def _check_native(x: torch.Tensor, where: Path) -> None:
    """Without data.size the images' own size is used, so it must be square and within range."""
    lo, hi = SIZE_RANGE
    h, w = x.shape[2:]
    if h != w or not lo <= h <= hi:
        raise DataError(f"{where}: images are {w}x{h}, but without data.size they must be square and {lo}..{hi} px\n"
                        f"Fix: pass a size to resize and centre-crop them, e.g. --set data.size=128")


def _root(path: str | os.PathLike | None, dataset: str, split: str, holds: str) -> Path:
    if split not in SPLITS:
        raise DataError(f"{dataset} has no split {split!r}; use one of {', '.join(SPLITS)}")
    if path is None:
        raise DataError(f"dataset {dataset!r} needs the root folder that holds {holds}: pass path=/your/root "
                        f"(CLI: --set data.path=/your/root)")
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataError(f"{root} is not a folder; point data.path at the root that holds {holds}")
    return root


def _few(items: list[str]) -> str:
    return ", ".join(items[:_SHOWN]) + (", ..." if len(items) > _SHOWN else "") if items else "none"


def _domain_files(folder: Path, need: str) -> list[Path]:
    """The image files of one domain folder, in load_image_folder's order; a missing or empty one is refused."""
    if not folder.is_dir() or not images_under(folder, IMAGE_EXTENSIONS):
        state = "is missing" if not folder.is_dir() else "holds no image files"
        raise DataError(f"{folder} {state}; {need}\nFix: put the images there, or point data.path at such a root")
    return discover_images(folder, IMAGE_EXTENSIONS)[0]


def _is_grey(x: torch.Tensor) -> bool:
    return bool((x[:, 0] == x[:, 1]).all() and (x[:, 1] == x[:, 2]).all())


def _dataset(a: torch.Tensor, b: torch.Tensor, name: str, paired: bool, channels: int | None,
             meta: dict) -> ArrayDataset:
    """Both domains loaded as RGB: None channels keeps grey only when both domains are grey."""
    if channels is None:
        channels = 1 if _is_grey(a) and _is_grey(b) else 3
    return translation_dataset(a, b, DOMAINS, name, paired, meta=meta, channels=channels)


# ---------------------------------------------------------------- unpaired and paired-by-name

def _load_domain(folder: Path, size: int | None, upscale: bool, cache_dir: str | os.PathLike | None) -> torch.Tensor:
    x = load_image_folder(folder, size=size, channels=3, upscale=upscale, cache_dir=cache_dir).x
    if size is None:
        _check_native(x, folder)
    return x


def load_unpaired_folder(path: str | os.PathLike | None, split: str = "train", size: int | None = None,
                         channels: int | None = None, upscale: bool = False,
                         cache_dir: str | os.PathLike | None = None) -> ArrayDataset:
    """Load a CycleGAN-layout root (trainA/, trainB/ or testA/, testB/) as an unpaired translation dataset."""
    root = _root(path, "unpaired-folder", split, "trainA/ and trainB/ (testA/ and testB/)")
    check_size(size)
    need = f"a CycleGAN-layout root needs {split}A/ and {split}B/, each holding the images of one domain"
    folders = [root / f"{split}{d}" for d in DOMAINS]
    for folder in folders:
        _domain_files(folder, need)
    a, b = (_load_domain(f, size, upscale, cache_dir) for f in folders)
    meta = {"root": str(root), "split": split, "folders": [f.name for f in folders]}
    return _dataset(a, b, "unpaired-folder", False, channels, meta)


def _stem(file: Path, folder: Path, letter: str) -> str:
    stem = file.relative_to(folder).with_suffix("").as_posix()
    return stem[:-2] if len(stem) > 2 and stem.upper().endswith(f"_{letter}") else stem


def _partners(folders: list[Path], need: str) -> list[int]:
    """For each file of folder A (in load order), the index of its same-stem partner in folder B."""
    stems = []
    for folder, letter in zip(folders, DOMAINS):
        names = [_stem(f, folder, letter) for f in _domain_files(folder, need)]
        twice = sorted({s for s in names if names.count(s) > 1})
        if twice:
            raise DataError(f"{folder}: several files share the name {_few(twice)} (other extensions); "
                            f"keep one file per name so that each pairs with one partner")
        stems.append(names)
    pos = {s: i for i, s in enumerate(stems[1])}
    only_a = [s for s in stems[0] if s not in pos]
    only_b = sorted(set(stems[1]) - set(stems[0]))
    if only_a or only_b:
        fa, fb = (f.name for f in folders)
        raise DataError(f"{folders[0].parent}: {len(only_a)} of {len(stems[0])} files in {fa}/ have no partner "
                        f"in {fb}/ ({_few(only_a)}); {len(only_b)} of {len(stems[1])} in {fb}/ none in {fa}/ "
                        f"({_few(only_b)})\nFix: give each pair one name (e.g. {fa}/1.png and {fb}/1.png), "
                        f"or remove the unmatched files")
    return [pos[s] for s in stems[0]]


# ---------------------------------------------------------------- paired side by side

def _decode_pair(file: Path, size: int | None, upscale: bool) -> tuple[np.ndarray, np.ndarray] | str:
    """The left and right halves of one A|B image as arrays, or why it cannot be used."""
    with Image.open(file) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        w, h = image.size
        if w != 2 * h:
            return f"wide:{file.name} ({w}x{h})"
        if size is not None and h < size and not upscale:
            return f"small:{file.name} ({w}x{h})"
        halves = [image.crop(box) for box in ((0, 0, h, h), (h, 0, 2 * h, h))]
        if size is not None and size != h:
            halves = [half.resize((size, size), RESAMPLE) for half in halves]
        return np.asarray(halves[0], dtype=np.uint8), np.asarray(halves[1], dtype=np.uint8)


_PAIR_FIXES = {
    "bad": "cannot be read; delete or replace these files, then run again",
    "wide": "are not twice as wide as high; a pix2pix pair holds A on the left half and B on the right "
            "(e.g. 512x256): fix or remove them",
    "small": "have halves smaller than data.size; lower data.size, remove them, or allow enlarging with "
             "--set data.upscale=true",
}


def _decode_pairs(folder: Path, files: list[Path], size: int | None, upscale: bool) -> torch.Tensor:
    """Every A|B file of a folder -> uint8 2N×3×S×S: the N left halves, then the N right halves."""
    problems: dict[str, list[str]] = {}
    lefts, rights = [], []
    for file in files:
        try:
            got = _decode_pair(file, size, upscale)
        except READ_ERRORS as e:
            got = f"bad:{file.name} ({type(e).__name__}: {e})"
        if isinstance(got, str):
            kind, _, what = got.partition(":")
            problems.setdefault(kind, []).append(what)
            continue
        lefts.append(got[0])
        rights.append(got[1])
    if problems:
        kind, items = next(iter(problems.items()))  # the first kind met; fixing it shows the next
        raise DataError(f"{folder}: {len(items)} of {len(files)} image(s) cannot be used: {_few(items)}\n"
                        f"They {_PAIR_FIXES[kind]}")
    if len({a.shape for a in lefts}) > 1:
        raise DataError(f"{folder}: the pairs come in {len({a.shape for a in lefts})} different sizes\n"
                        f"Fix: pass a size to resize them all, e.g. --set data.size=128")
    x = torch.from_numpy(np.stack(lefts + rights)).permute(0, 3, 1, 2).contiguous()
    if size is None:
        _check_native(x, folder)
    return x


def _load_side_by_side(folder: Path, size: int | None, upscale: bool,
                       cache_dir: str | os.PathLike | None) -> tuple[torch.Tensor, torch.Tensor]:
    files = _domain_files(folder, "a pix2pix-layout root needs it to hold A|B images side by side")
    key = None
    if cache_dir is not None:
        key = cache_key(folder, files, {"layout": "side-by-side", "size": size, "upscale": upscale})
        x = load_cached(cache_dir, key)
        if x is not None:
            return x[:len(files)], x[len(files):]
    x = _decode_pairs(folder, files, size, upscale)
    if key is not None:
        save_cached(cache_dir, key, x)
    return x[:len(files)], x[len(files):]


def _paired_layout(root: Path, split: str) -> str:
    """'side-by-side' when root/<split>/ exists, 'by-name' when root/<split>A/ or <split>B/ does."""
    side, by_name = (root / split).is_dir(), any((root / f"{split}{d}").is_dir() for d in DOMAINS)
    if side and by_name:
        raise DataError(f"{root} holds both {split}/ (A|B side by side) and {split}A/ or {split}B/ (pairs by name)\n"
                        f"Fix: keep one layout in this root, or move the other into a root of its own")
    if not (side or by_name):
        raise DataError(f"{root} has neither {split}/ (pix2pix: A|B images side by side) nor {split}A/ + {split}B/ "
                        f"(files paired by name)\nFix: point data.path at a root in one of these layouts")
    return "side-by-side" if side else "by-name"


def load_paired_folder(path: str | os.PathLike | None, split: str = "train", size: int | None = None,
                       channels: int | None = None, upscale: bool = False,
                       cache_dir: str | os.PathLike | None = None) -> ArrayDataset:
    """Load a paired root (pix2pix train/ of A|B images, or trainA/ + trainB/ paired by file name)."""
    root = _root(path, "paired-folder", split, f"{split}/ (A|B side by side) or {split}A/ + {split}B/")
    check_size(size)
    layout = _paired_layout(root, split)
    if layout == "side-by-side":
        a, b = _load_side_by_side(root / split, size, upscale, cache_dir)
        folders = [split]
    else:
        need = f"a paired root needs {split}A/ and {split}B/ holding images with matching file names"
        dirs = [root / f"{split}{d}" for d in DOMAINS]
        partner = _partners(dirs, need)
        a, b = (_load_domain(d, size, upscale, cache_dir) for d in dirs)
        b = b[torch.tensor(partner, dtype=torch.int64)]
        folders = [d.name for d in dirs]
    meta = {"root": str(root), "split": split, "layout": layout, "folders": folders}
    return _dataset(a, b, "paired-folder", True, channels, meta)
