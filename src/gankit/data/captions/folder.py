"""A user's folder of captioned images: image files plus captions.jsonl, one {"file", "caption"} object per line.

    birds/
      captions.jsonl     {"file": "img/0001.jpg", "caption": "a small red bird on a branch"}
      img/0001.jpg       {"file": "img/0001.jpg", "caption": "a red bird with a short beak"}   (several per image)

Each line is one sample (CUB/COCO style: an image with five captions gives five samples). Images are decoded and
resized by gankit.data.folder; the split is by image file, so all captions of one image fall in the same split.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

import numpy as np
import torch

from gankit.data.base import ArrayDataset
from gankit.data.cache import cache_key, load_cached, save_cached
from gankit.data.folder import IMAGE_MODES, READ_ERRORS, check_sizes, decode_image
from gankit.errors import DataError
from gankit.text.words import CaptionError, check_caption

CAPTIONS_FILE = "captions.jsonl"
SPLITS = ("train", "test")
_SHOWN = 10
_LAYOUT = 'one JSON object per line, {"file": "img/0001.jpg", "caption": "a red bird on a branch"}'


def _first(items: list[str], n: int = _SHOWN) -> str:
    return "; ".join(items[:n]) + (f"; and {len(items) - n} more" if len(items) > n else "")


def _parse(line: str) -> tuple[str, str] | str:
    """(file, caption) from one line of captions.jsonl, or what is wrong with it."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return "not JSON"
    if not isinstance(obj, dict):
        return "not a JSON object"
    missing = [k for k in ("file", "caption") if k not in obj]
    if missing:
        return f"missing key {' and '.join(repr(k) for k in missing)}"
    if not isinstance(obj["file"], str) or not obj["file"].strip():
        return "'file' is not a file name"
    file = PurePosixPath(obj["file"].strip())  # "./a.png" and "a.png" name one image
    if file.is_absolute():
        return "'file' is an absolute path; give it relative to the folder"
    try:
        check_caption(obj["caption"])
    except CaptionError:
        return "empty caption" if isinstance(obj["caption"], str) else "'caption' is not text"
    return file.as_posix(), obj["caption"].strip()


def read_captions(root: Path) -> list[tuple[int, str, str]]:
    """(line number, file, caption) for each non-blank line of root/captions.jsonl; DataError lists every bad line."""
    path = root / CAPTIONS_FILE
    if not path.is_file():
        raise DataError(f"{root}: no {CAPTIONS_FILE}; add one beside the images with\n{_LAYOUT}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot be read as UTF-8 text ({e});\nsave it as UTF-8 with {_LAYOUT}") from None
    rows, bad = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue  # blank lines (a trailing newline) carry nothing
        got = _parse(line)
        if isinstance(got, str):
            bad.append(f"line {number}: {got}")
        else:
            rows.append((number, *got))
    if bad:
        raise DataError(f"{path}: {len(bad)} bad line(s): {_first(bad)}\nFix them: each line is {_LAYOUT}")
    if not rows:
        raise DataError(f"{path} holds no captions;\nadd {_LAYOUT}")
    return rows


def _check_files(root: Path, rows: list[tuple[int, str, str]]) -> None:
    """Every line's image exists, or DataError with the line numbers and the first missing name."""
    missing = [(number, file) for number, file, _ in rows if not (root / file).is_file()]
    if missing:
        numbers = ", ".join(str(n) for n, _ in missing[:_SHOWN]) + (" ..." if len(missing) > _SHOWN else "")
        raise DataError(f"{root / CAPTIONS_FILE}: {len(missing)} line(s) name image files that do not exist "
                        f"(lines {numbers}; first: {missing[0][1]!r})\nFix: add the images, or remove those lines")


def in_test_split(file: str, test_share: float) -> bool:
    """Whether an image falls in the test split: a BLAKE2b hash of its name, the same on every machine."""
    h = int.from_bytes(hashlib.blake2b(file.encode(), digest_size=8).digest(), "big")
    return h / 2**64 < test_share


def _decode_all(root: Path, files: list[str], size: int | None, channels: int, upscale: bool) -> torch.Tensor:
    """The images as uint8 N×C×H×W, resized and centre-cropped to size (or all of one size when None)."""
    arrays, bad, small, by_size = [], [], [], {}
    for name in files:
        file = root / name
        try:
            array, (w, h) = decode_image(file, IMAGE_MODES[channels], size)
        except READ_ERRORS as e:
            bad.append(f"{file}: {type(e).__name__}: {e}")
            continue
        if size is not None and min(w, h) < size and not upscale:
            small.append(f"{file}: {w}x{h}")
        arrays.append(array)
        by_size.setdefault(array.shape[:2], []).append(file)
    if bad:
        raise DataError(f"{root}: {len(bad)} image file(s) cannot be read: {_first(bad)}\n"
                        f"Fix: replace these files, or remove their lines from {CAPTIONS_FILE}")
    if small:
        raise DataError(f"{root}: {len(small)} image(s) are smaller than {size}x{size}: {_first(small)}\n"
                        f"Fix: lower data.size, remove them, or allow enlarging with --set data.upscale=true")
    if size is None:
        check_sizes(by_size, None, root)
    x = torch.from_numpy(np.stack(arrays))
    return x.unsqueeze(1) if channels == 1 else x.permute(0, 3, 1, 2).contiguous()


def _load_images(root: Path, files: list[str], size: int | None, channels: int, upscale: bool,
                 cache_dir: str | os.PathLike | None) -> torch.Tensor:
    """The decoded images of the files, from the prepared-dataset cache when it holds this folder state."""
    if cache_dir is None:
        return _decode_all(root, files, size, channels, upscale)
    options = {"layout": "captions", "size": size, "channels": channels, "upscale": upscale}
    key = cache_key(root, [root / f for f in files], options)
    images = load_cached(cache_dir, key)
    if images is None:
        images = _decode_all(root, files, size, channels, upscale)
        save_cached(cache_dir, key, images)
    return images


def load_caption_folder(path: str | os.PathLike, size: int | None = None, channels: int = 3, upscale: bool = False,
                        cache_dir: str | os.PathLike | None = None, split: str = "train",
                        test_share: float = 0.1) -> ArrayDataset:
    """One sample per line of path/captions.jsonl: the named image (uint8 N×C×H×W) and its caption.

    size: resize the shorter side and centre-crop (as load_image_folder); None needs all images of one size.
    split: "train" or "test", by a hash of each image's file name (test_share of the images go to test).
    cache_dir: keep the decoded images there (gankit.data.cache), keyed by the files' names, sizes and mtimes.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise DataError(f"caption folder {root} does not exist or is not a folder; check the path "
                        f"(CLI: --set data.path=/your/folder)")
    if split not in SPLITS:
        raise DataError(f"caption-folder has no split {split!r}; use one of {list(SPLITS)}")
    if not 0 <= test_share < 1:
        raise DataError(f"test_share={test_share!r}: give the share of images held out for test, in [0, 1)")
    if channels not in IMAGE_MODES:
        raise DataError(f"channels={channels!r}: use 1 (grayscale) or 3 (RGB)")
    if size is not None and (not isinstance(size, int) or size < 1):
        raise DataError(f"image size {size!r} is not a positive integer; pass e.g. --set data.size=64")
    rows = read_captions(root)
    _check_files(root, rows)
    files = sorted({file for _, file, _ in rows})
    images = _load_images(root, files, size, channels, upscale, cache_dir)

    wanted = split == "test"
    keep = [(file, caption) for _, file, caption in rows if in_test_split(file, test_share) == wanted]
    if not keep:
        raise DataError(f"{root}: none of its {len(files)} images falls in the {split} split (test_share="
                        f"{test_share}); add images, or change test_share")
    row = {file: i for i, file in enumerate(files)}
    idx = torch.tensor([row[file] for file, _ in keep], dtype=torch.int64)
    return ArrayDataset(x=images[idx], y=torch.zeros(len(keep), dtype=torch.int64),
                        class_names=[root.resolve().name or "images"], kind="image", name="caption-folder",
                        meta={"root": str(path), "split": split, "test_share": test_share,
                              "images": len({file for file, _ in keep})},
                        captions=[caption for _, caption in keep])
