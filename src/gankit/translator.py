"""Translator: a CycleGAN or pix2pix run folder, applied to images, folders of images and .npy arrays.

    t = Translator(load_run("runs/fashion-cyclegan"))
    boots = t.translate(sneakers, "AtoB")             # model space N×C×H×W in [-1, 1]
    t.translate_path("my_sneakers/", "out/", "AtoB")   # the same file names, at each input's own size

The generators are fully convolutional: an image of any size at least the network's minimum is
translated whole, or in overlapping tiles when it is too large to translate in one pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from torch import nn

from gankit.errors import ConfigError, DataError
from gankit.models.translation import translate_tiled
from gankit.run import Run
from gankit.utils.atomic import atomic_path
from gankit.utils.images import from_uint8, save_image, to_uint8

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif")
MAX_PIXELS = 1024 * 1024  # larger images are translated in tiles
TILE, OVERLAP = 512, 64
READ_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


class Translator:
    """The generators of a translation run, one per direction ('AtoB', and 'BtoA' for CycleGAN)."""

    def __init__(self, run: Run, watermark: bool = True) -> None:
        if not run.spec.translates:
            raise ConfigError(f"{run.path} is a game={run.config.game} run: it draws samples from noise;\n"
                              "translate needs a run of game=cyclegan or game=pix2pix")
        self.run = run
        self.watermark = watermark  # image files carry the run's provenance; the mark too unless False
        self.channels = int(run.info["shape"][0])
        self.domains = list(run.info.get("domains", run.class_names))

    @property
    def directions(self) -> list[str]:
        """The directions this run can translate."""
        return list(self.run.spec.directions)

    def generator(self, direction: str) -> nn.Module:
        """The network of one direction; a direction the run does not have is refused by name."""
        if direction not in self.run.spec.directions:
            raise ConfigError(f"{self.run.path} ({self.run.config.game}) translates {' and '.join(self.directions)} "
                              f"only, not {direction};\nchoose --direction {self.directions[0]}")
        return self.run.network(self.run.spec.directions[direction])

    @torch.no_grad()
    def translate(self, x: torch.Tensor, direction: str, batch_size: int = 32) -> torch.Tensor:
        """Translate model-space images N×C×H×W (any size ≥ the network's minimum); returns the same shape on the CPU."""
        net = self.generator(direction)
        x = self.match_channels(x.float())
        h, w = x.shape[-2:]
        minimum = getattr(net, "min_size", 1)
        if min(h, w) < minimum:
            raise DataError(f"a {w}x{h} input is smaller than this network's minimum of {minimum} px;\n"
                            f"enlarge the image to at least {minimum}x{minimum} first")
        device = next(net.parameters()).device
        out = []
        for i in range(0, len(x), batch_size):
            chunk = x[i : i + batch_size].to(device)
            y = translate_tiled(net, chunk, TILE, OVERLAP) if h * w > MAX_PIXELS else net(chunk)
            out.append(y.float().cpu())
        return torch.cat(out) if out else x.clone()

    def match_channels(self, x: torch.Tensor) -> torch.Tensor:
        """Grey input for an RGB run is repeated to three channels; RGB input for a grey run becomes its luma."""
        c = x.shape[1]
        if c == self.channels:
            return x
        if c == 1 and self.channels == 3:
            return x.expand(-1, 3, -1, -1)
        if c == 3 and self.channels == 1:
            weights = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype).view(1, 3, 1, 1)
            return (x * weights).sum(1, keepdim=True)
        raise DataError(f"the input has {c} channels; this run translates {self.channels}-channel images (1 or 3)")

    def translate_path(self, source: str | Path, out: str | Path, direction: str) -> list[Path]:
        """Translate an image file, a folder of images (same names in `out`) or a .npy array; returns what was written."""
        source, out = Path(source), Path(out)
        self.generator(direction)  # refuse a wrong direction before reading anything
        if not source.exists():
            raise DataError(f"{source} does not exist; give an image file, a folder of images or a .npy array")
        if source.is_dir():
            return self._folder(source, out, direction)
        if source.suffix.lower() == ".npy":
            return [self._array(source, out, direction)]
        return [self._file(source, out if out.suffix else out / source.name, direction)]

    def _file(self, source: Path, target: Path, direction: str) -> Path:
        x = read_image(source, self.channels)
        save_image(to_uint8(self.translate(x, direction))[0], target, self.run.provenance(self.watermark))
        return target

    def _folder(self, source: Path, out: Path, direction: str) -> list[Path]:
        files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DataError(f"{source} holds no images ({', '.join(IMAGE_SUFFIXES)}); put the images to translate there")
        if out.exists() and not out.is_dir():
            raise DataError(f"{out} is a file; translating a folder writes a folder: give a folder path for --out")
        out.mkdir(parents=True, exist_ok=True)
        return [self._file(f, out / f.name, direction) for f in files]

    def _array(self, source: Path, out: Path, direction: str) -> Path:
        x = read_array(source)
        grey = x.ndim == 3
        images = torch.from_numpy(x[:, None] if grey else x.transpose(0, 3, 1, 2).copy())
        y = to_uint8(self.translate(from_uint8(images), direction))
        if grey and y.ndim == 4:  # an RGB run's answer to grey input keeps the input's layout
            y = y.mean(-1).round().astype(np.uint8)
        elif not grey and y.ndim == 3:
            y = np.repeat(y[..., None], 3, axis=-1)
        target = out if out.suffix == ".npy" else out / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp, open(tmp, "wb") as f:
            np.save(f, y)
        return target


def read_image(path: Path, channels: int) -> torch.Tensor:
    """One image file as a 1×C×H×W model-space tensor; an unreadable file is named."""
    try:
        with Image.open(path) as image:
            array = np.asarray(ImageOps.exif_transpose(image).convert("L" if channels == 1 else "RGB"), dtype=np.uint8)
    except READ_ERRORS as e:
        raise DataError(f"{path} is not a readable image ({type(e).__name__}: {str(e).splitlines()[0]});\n"
                        "replace or remove the file") from None
    t = torch.from_numpy(array.copy())
    t = t[None, None] if t.dim() == 2 else t.permute(2, 0, 1)[None]
    return from_uint8(t)


def read_array(path: Path) -> np.ndarray:
    """A uint8 N×H×W (grey) or N×H×W×3 array from a .npy file; anything else is refused with its shape."""
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DataError(f"{path} is not a readable .npy array ({str(e).splitlines()[0]})") from None
    if x.dtype != np.uint8 or not (x.ndim == 3 or (x.ndim == 4 and x.shape[-1] == 3)):
        raise DataError(f"{path} holds {x.dtype} {x.shape}; translate reads uint8 N×H×W (grey) or N×H×W×3 arrays")
    return x
