"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747): find it on disk, download it, load it.

Lookup order (first folder holding the split's two IDX files wins):
  1. the `path` argument (or its `fashion-mnist` subfolder);
  2. $GANKIT_DATA (or its `fashion-mnist` subfolder);
  3. /usr/share/datasets/fashion-mnist, Debian's `dataset-fashion-mnist` package;
  4. a torchvision layout `FashionMNIST/raw` under the path, $GANKIT_DATA or ./data;
  5. ./data/fashion-mnist, where `download=True` puts the files when neither path nor $GANKIT_DATA is set.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gankit.data.base import ArrayDataset
from gankit.data.idx import read_idx
from gankit.errors import DataError

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
OFFICIAL_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
URL_ENV = "GANKIT_FASHION_MNIST_URL"
DATA_ENV = "GANKIT_DATA"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
# MD5 of the official .gz files, from github.com/zalandoresearch/fashion-mnist (README, "Get the Data").
CHECKSUMS = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12e480ee83cd310",
}
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_SIZE = 28
_CHUNK = 1 << 20
_INSTALL_HINT = ("`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu; installs to "
                 "/usr/share/datasets/fashion-mnist), or put the four IDX files in a folder and set "
                 "GANKIT_DATA=/that/folder, or when online pass download=True (CLI: --set data.download=true)")


# ---------------------------------------------------------------- lookup

def _file(folder: Path, stem: str) -> Path | None:
    """The .gz file when present (its CRC catches damage), else the extracted one, else None."""
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _needed(split: str) -> tuple[str, ...]:
    return SPLIT_FILES["train"] + (SPLIT_FILES["test"] if split == "test" else ())


def _qualifies(folder: Path, split: str) -> bool:
    return all(_file(folder, stem) is not None for stem in _needed(split))


def _roots(path: str | os.PathLike | None) -> list[Path]:
    roots = [Path(path).expanduser()] if path is not None else []
    if os.environ.get(DATA_ENV):
        roots.append(Path(os.environ[DATA_ENV]).expanduser())
    return roots


def search_places(path: str | os.PathLike | None = None) -> list[Path]:
    """Every folder searched for Fashion-MNIST, in order."""
    roots = _roots(path)
    places = [p for root in roots for p in (root, root / "fashion-mnist")]
    places.append(DEBIAN_DIR)
    places += [root / "FashionMNIST" / "raw" for root in (*roots, Path("data"))]
    places.append(Path("data") / "fashion-mnist")
    return places


def _check_split(split: str) -> None:
    if split not in SPLIT_FILES:
        raise DataError(f"Fashion-MNIST has no split {split!r}; use one of {sorted(SPLIT_FILES)}")


def find_fashion_mnist(path: str | os.PathLike | None = None, split: str = "train") -> Path:
    """Return the first folder that holds Fashion-MNIST's files for the split, or raise DataError."""
    _check_split(split)
    places = search_places(path)
    for folder in places:
        if _qualifies(folder, split):
            return folder
    wanted = ", ".join(f"{stem}[.gz]" for stem in _needed(split))
    listing = "\n".join(f"  - {p}" for p in places)
    raise DataError(f"Fashion-MNIST ({split} split) not found: looked for {wanted} in\n{listing}\n"
                    f"Fix: {_INSTALL_HINT}.")


# ---------------------------------------------------------------- download

def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, target: Path, expected_md5: str, timeout: float) -> None:
    """Stream url into a temp file beside target, check its MD5, then rename it onto target."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with open(tmp, "xb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        digest.update(chunk)
                        out.write(chunk)
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as e:
                raise DataError(f"could not download {url} ({e}).\nIf offline: `sudo apt-get install dataset-fashion-mnist`, "
                                f"or set GANKIT_DATA to a folder of the four files, or {URL_ENV} to a mirror") from None
        got = digest.hexdigest()
        if got != expected_md5:
            raise DataError(f"{target.name}: checksum mismatch, expected MD5 {expected_md5}, got {got} "
                            f"(from {url}); the partial file was deleted. Retry the download, or install the "
                            f"dataset with `sudo apt-get install dataset-fashion-mnist`.")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def download_fashion_mnist(dest: str | os.PathLike, base_url: str | None = None, timeout: float = 60,
                           checksums: dict[str, str] | None = None) -> Path:
    """Download the four Fashion-MNIST .gz files into dest, checking each MD5; return dest.

    base_url: the argument if given, else $GANKIT_FASHION_MNIST_URL, else OFFICIAL_URL.
    checksums: file name -> MD5 for each of the four files (default: the official ones).
    Files already in dest with the right MD5 are kept, so an interrupted download resumes.
    """
    dest = Path(dest).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    base = (base_url or os.environ.get(URL_ENV) or OFFICIAL_URL).rstrip("/")
    sums = CHECKSUMS if checksums is None else checksums
    missing = [name for name in CHECKSUMS if name not in sums]
    if missing:
        raise DataError(f"checksums= lacks {missing}; give an MD5 for each of {list(CHECKSUMS)}")
    for name in CHECKSUMS:
        target = dest / name
        if target.is_file() and _md5(target) == sums[name]:
            continue
        _fetch(f"{base}/{name}", target, sums[name], timeout)
    return dest


def _download_dest(path: str | os.PathLike | None) -> Path:
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser() / "fashion-mnist"
    return Path("data") / "fashion-mnist"


# ---------------------------------------------------------------- load

def _validate(images: np.ndarray, labels: np.ndarray, img_path: Path, lbl_path: Path) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"{img_path}: holds {images.dtype} of shape {images.shape}, expected uint8 N×28×28; "
                        f"this is not a Fashion-MNIST image file, replace it with the official one")
    if labels.ndim != 1:
        raise DataError(f"{lbl_path}: holds shape {labels.shape}, expected a 1-D label vector; "
                        f"replace it with the official label file")
    if len(images) != len(labels):
        raise DataError(f"{img_path} has {len(images)} images but {lbl_path} has {len(labels)} labels; "
                        f"the two files come from different sets, re-download or reinstall both")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise DataError(f"{lbl_path}: labels span {labels.min()}..{labels.max()}, expected 0..9; "
                        f"replace it with the official label file")


def _resize(x: torch.Tensor, size: int | None) -> torch.Tensor:
    """28 stays; 32 pads 2 black pixels per side (LeNet-5's 32×32 input, LeCun et al. 1998); else bilinear."""
    if size is None or size == IMAGE_SIZE:
        return x
    if not isinstance(size, int) or size < 1:
        raise DataError(f"image size {size!r} is not a positive integer; pass e.g. --set data.size=32")
    if size == 32:
        return F.pad(x, (2, 2, 2, 2), value=0)  # background is 0, so padding adds background only
    y = F.interpolate(x.float(), size=(size, size), mode="bilinear", align_corners=False,
                      antialias=size < IMAGE_SIZE)
    return y.round_().clamp_(0, 255).to(torch.uint8)


def load_fashion_mnist(path: str | os.PathLike | None = None, split: str = "train", size: int | None = None,
                       download: bool = False) -> ArrayDataset:
    """Load a Fashion-MNIST split as uint8 N×1×28×28 (or size×size), downloading it first if asked.

    size: None or 28 keeps the images; 32 pads 2 black pixels on every side (no resampling);
    any other size resizes bilinearly (antialiased when shrinking).
    """
    _check_split(split)
    try:
        folder = find_fashion_mnist(path, split)
    except DataError:
        if not download:
            raise
        folder = download_fashion_mnist(_download_dest(path))
    img_path, lbl_path = (_file(folder, stem) for stem in SPLIT_FILES[split])
    images, labels = read_idx(img_path), read_idx(lbl_path)
    _validate(images, labels, img_path, lbl_path)
    x = _resize(torch.from_numpy(images).unsqueeze(1), size)
    return ArrayDataset(
        x=x,
        y=torch.from_numpy(labels.astype(np.int64)),
        class_names=list(CLASS_NAMES),
        kind="image",
        name="fashion-mnist",
        meta={"split": split, "source": str(folder)},
    )
