"""Load a folder of images into memory: one class per subfolder (torchvision ImageFolder layout), or one class."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from gankit.data.base import ArrayDataset
from gankit.data.cache import cache_key, load_cached, save_cached
from gankit.errors import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm")
IMAGE_MODES = {1: "L", 3: "RGB"}
_MAX_LISTED = 10
RESAMPLE = getattr(Image, "Resampling", Image).LANCZOS  # Pillow < 9.1 keeps it on Image
# What Pillow raises for unreadable files: OSError (incl. UnidentifiedImageError, truncated data),
# SyntaxError/ValueError from some decoders, and DecompressionBombError for absurd sizes.
READ_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


# ---------------------------------------------------------------- discovery

def _normalise(extensions: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions}))


def _is_image(path: Path, extensions: tuple[str, ...]) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.suffix.lower() in extensions


def images_under(folder: Path, extensions: tuple[str, ...]) -> list[Path]:
    """Every image file below folder, in a stable sorted order, skipping hidden files and folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [p for name in sorted(filenames) if _is_image(p := Path(dirpath) / name, extensions)]
    return found


def discover_images(root: Path, extensions: tuple[str, ...]) -> tuple[list[Path], list[int], list[str]]:
    """Files, their labels and the class names: subfolders with images are classes, else one class."""
    subdirs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    classes = [(d.name, files) for d in subdirs if (files := images_under(d, extensions))]
    loose = sorted(p for p in root.iterdir() if _is_image(p, extensions))
    if classes and loose:
        raise DataError(f"{root}: has class subfolders ({', '.join(n for n, _ in classes)}) and also "
                        f"{len(loose)} images directly inside it (e.g. {loose[0].name}); move those images "
                        f"into a class subfolder, or point the path at a folder with only one layout")
    if not classes:
        if not loose:
            raise DataError(f"{root}: no image files (extensions {', '.join(extensions)}) in it or its "
                            f"subfolders; put images there, or pass extensions= for other file types")
        return loose, [0] * len(loose), [root.resolve().name or "images"]
    files = [f for _, fs in classes for f in fs]
    labels = [k for k, (_, fs) in enumerate(classes) for _ in fs]
    return files, labels, [name for name, _ in classes]


# ---------------------------------------------------------------- decoding

def _resize_and_crop(image: Image.Image, size: int) -> Image.Image:
    """Scale the shorter side to size, then take the centred size×size square."""
    w, h = image.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    image = image.resize((nw, nh), RESAMPLE)
    left, top = (nw - size) // 2, (nh - size) // 2
    return image.crop((left, top, left + size, top + size))


def decode_image(path: Path, mode: str, size: int | None) -> tuple[np.ndarray, tuple[int, int]]:
    """The decoded (and resized) array, and the file's own width × height."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)  # camera photos store rotation in EXIF
        original = image.size
        image = image.convert(mode)
        if size is not None:
            image = _resize_and_crop(image, size)
        return np.asarray(image, dtype=np.uint8), original


def _listing(items: list[str]) -> str:
    shown = "\n".join(f"  - {item}" for item in items[:_MAX_LISTED])
    more = f"\n  ... and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return shown + more


def check_sizes(by_size: dict[tuple[int, int], list[Path]], size: int | None, root: Path) -> None:
    """Without resizing, every image must share one size (the given one, if any)."""
    def describe(hw: tuple[int, int]) -> str:
        files = by_size[hw]
        return f"{hw[1]}x{hw[0]} (width x height): {len(files)} file(s), e.g. {files[0]}"

    if size is not None:
        wrong = [hw for hw in by_size if hw != (size, size)]
        if wrong:
            raise DataError(f"{root}: expected {size}x{size} images because resizing is off, but found\n"
                            f"{_listing([describe(hw) for hw in wrong])}\n"
                            f"Fix: allow resizing (resize=True) to resize and centre-crop them, or resize the files")
    elif len(by_size) > 1:
        raise DataError(f"{root}: images come in {len(by_size)} different sizes\n"
                        f"{_listing([describe(hw) for hw in sorted(by_size)])}\n"
                        f"Fix: pass a size to resize and centre-crop them all, e.g. size=64 "
                        f"(CLI: --set data.size=64)")


# ---------------------------------------------------------------- public

def load_image_folder(path: str | os.PathLike, size: int | None = None, channels: int = 3, resize: bool = True,
                      extensions: Iterable[str] = IMAGE_EXTENSIONS, upscale: bool = False,
                      cache_dir: str | os.PathLike | None = None) -> ArrayDataset:
    """Load every image below path as uint8 N×C×H×W, one class per subfolder (sorted) or a single class.

    With resize=True and a size, the shorter side is scaled to size (Lanczos) and the centre
    size×size square is kept; images whose shorter side is below size are refused unless
    `upscale`. Otherwise all images must already share one size. With `cache_dir`, the decoded
    arrays are kept there (one .npy per folder state, keyed by the file list, sizes and mtimes and
    the options), so the next load of an unchanged folder skips decoding.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise DataError(f"image folder {root} does not exist; check the path (CLI: --set data.path=/your/images)")
    if not root.is_dir():
        raise DataError(f"{root} is a file, not a folder; pass the folder that holds the images")
    if channels not in IMAGE_MODES:
        raise DataError(f"channels={channels!r}: use 1 (grayscale) or 3 (RGB)")
    if size is not None and (not isinstance(size, int) or size < 1):
        raise DataError(f"image size {size!r} is not a positive integer; pass e.g. --set data.size=64")
    files, labels, class_names = discover_images(root, _normalise(extensions))
    key = None
    if cache_dir is not None:

        key = cache_key(root, files, {"size": size, "channels": channels, "resize": resize, "upscale": upscale})
        x = load_cached(cache_dir, key)
        if x is not None:
            return _dataset(x, labels, class_names, path)

    arrays, bad, small, by_size = [], [], [], {}
    for file in files:
        try:
            array, (w, h) = decode_image(file, IMAGE_MODES[channels], size if resize else None)
        except READ_ERRORS as e:
            bad.append(f"{file}: {type(e).__name__}: {e}")
            continue
        if resize and size is not None and min(w, h) < size and not upscale:
            small.append(f"{file}: {w}x{h}")
        arrays.append(array)
        by_size.setdefault(array.shape[:2], []).append(file)
    if bad:
        raise DataError(f"{root}: {len(bad)} image file(s) cannot be read\n{_listing(bad)}\n"
                        f"Fix: delete or replace these files, then run again")
    if small:
        raise DataError(f"{root}: {len(small)} image(s) are smaller than the resolution {size}x{size} "
                        f"(width x height shown)\n{_listing(small)}\nEnlarging them would only blur them. Fix: "
                        f"lower the resolution (--set data.size=...), remove them, or allow it with "
                        f"--set data.upscale=true")
    if not (resize and size is not None):
        check_sizes(by_size, size, root)

    x = torch.from_numpy(np.stack(arrays))
    x = x.unsqueeze(1) if channels == 1 else x.permute(0, 3, 1, 2).contiguous()
    if key is not None:

        save_cached(cache_dir, key, x)
    return _dataset(x, labels, class_names, path)


def _dataset(x: torch.Tensor, labels: list[int], class_names: list[str], path) -> ArrayDataset:
    return ArrayDataset(x=x, y=torch.tensor(labels, dtype=torch.int64), class_names=class_names,
                        kind="image", name="folder", meta={"root": str(path)})
