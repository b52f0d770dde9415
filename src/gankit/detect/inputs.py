"""The images a detector reads: an image file, a folder of them, a uint8 .npy, a dataset name, or a run folder."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from gankit.data.base import ArrayDataset
from gankit.data.folder import IMAGE_EXTENSIONS, READ_ERRORS, images_under
from gankit.data.registry import dataset_names, load_dataset
from gankit.errors import DataError, GankitWarning


@dataclass
class Images:
    """uint8 images N×H×W×C (C is 1 or 3) with a name for each (its file, or its index in an array)."""

    array: np.ndarray
    names: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.array)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of every image."""
        _, h, w, c = self.array.shape
        return c, h, w


def conform(image: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """One uint8 H×W×C image brought to (C, H, W): luma or repeated grey for the channels, bicubic for the size."""
    c, h, w = shape
    if image.shape[-1] != c:
        image = (np.asarray(Image.fromarray(image).convert("L"))[..., None] if c == 1
                 else np.repeat(image, 3, axis=-1))
    if image.shape[:2] != (h, w):
        pil = Image.fromarray(image[..., 0] if c == 1 else image).resize((w, h), Image.Resampling.BICUBIC)
        image = np.asarray(pil).reshape(h, w, c)
    return image


def conform_all(images: Images, shape: tuple[int, int, int], purpose: str) -> Images:
    """The images at the detector's (C, H, W); any change is said in one warning."""
    if images.shape == tuple(shape):
        return images
    c, h, w = images.shape
    warnings.warn(f"{images.source}: {w}x{h}x{c} images resized/converted to the detector's {shape[2]}x{shape[1]}x"
                  f"{shape[0]} for {purpose}; scores of resized images are less reliable", GankitWarning, stacklevel=2)
    return Images(np.stack([conform(x, shape) for x in images.array]), images.names, images.source)


def _layout(array: np.ndarray, source: str) -> np.ndarray:
    """A uint8 array N×H×W or N×H×W×C (C 1 or 3) as N×H×W×C; anything else refused by what it is."""
    if array.dtype != np.uint8:
        raise DataError(f"{source} holds {array.dtype} values; give uint8 images (0..255)")
    if array.ndim == 3:
        return array[..., None]
    if array.ndim == 4 and array.shape[-1] in (1, 3):
        return array
    raise DataError(f"{source} has shape {array.shape}; give N×H×W (grey) or N×H×W×3 (RGB) uint8 images")


def _read_file(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as image:
            mode = "L" if image.mode in ("1", "L", "I;16", "I", "F", "LA") else "RGB"
            return _layout(np.asarray(image.convert(mode))[None], str(path))[0]
    except READ_ERRORS as e:
        raise DataError(f"{path} is not a readable image ({str(e).splitlines()[0]}); replace or remove it") from None


def _read_folder(folder: Path, shape: tuple[int, int, int] | None) -> Images:
    files = images_under(folder, IMAGE_EXTENSIONS)
    if not files:
        raise DataError(f"{folder} holds no images ({', '.join(IMAGE_EXTENSIONS)}); put the images there")
    arrays = [_read_file(f) for f in files]
    if shape is None:  # the first image sets the size of the rest
        h, w, c = arrays[0].shape
        shape = (c, h, w)
    odd = sum(a.shape != (shape[1], shape[2], shape[0]) for a in arrays)
    if odd:
        warnings.warn(f"{folder}: {odd} of {len(arrays)} images resized/converted to {shape[2]}x{shape[1]}x{shape[0]}",
                      GankitWarning, stacklevel=3)
    return Images(np.stack([conform(a, shape) for a in arrays]), [str(f.relative_to(folder)) for f in files], str(folder))


def _read_npy(path: Path) -> Images:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DataError(f"{path} is not a readable .npy array ({str(e).splitlines()[0]})") from None
    array = _layout(array, str(path))
    if not len(array):
        raise DataError(f"{path} holds no images")
    return Images(array, [str(i) for i in range(len(array))], str(path))


def dataset_images(data: ArrayDataset, source: str) -> Images:
    """A loaded image dataset (uint8 N×C×H×W) as Images; any other kind is refused."""
    if data.kind != "image":
        raise DataError(f"{data.name} holds {data.kind}, not images; detection needs an image dataset")
    array = np.ascontiguousarray(data.x.numpy().transpose(0, 2, 3, 1))
    return Images(array, [str(i) for i in range(len(array))], source)


def _read_dataset(name: str, split: str, n: int | None, seed: int) -> Images:
    return dataset_images(load_dataset(name, split=split, n=n, seed=seed), f"{name} ({split})")


def read_images(source: str | Path, shape: tuple[int, int, int] | None = None, split: str = "train",
                n: int | None = None, seed: int = 0) -> Images:
    """Images from an image file, a folder (recursive), a uint8 .npy, or a dataset name (`split`, n of them).

    Folder images of another size than the first (or than `shape`) are resized with a warning.
    """
    path = Path(source)
    if not path.exists():
        if str(source) in dataset_names():
            return _read_dataset(str(source), split, n, seed)
        raise DataError(f"{source} does not exist; give an image file, a folder of images, a uint8 .npy "
                        f"or a dataset name\n({', '.join(n for n in dataset_names() if n != 'folder')})")
    if path.is_dir():
        return _read_folder(path, shape)
    if path.suffix.lower() == ".npy":
        return _read_npy(path)
    if path.suffix.lower() not in IMAGE_EXTENSIONS:
        raise DataError(f"{path}: not an image file ({', '.join(IMAGE_EXTENSIONS)}) nor a .npy array")
    return Images(_read_file(path)[None], [path.name], str(path))

