"""Provenance of the images gankit writes: metadata naming the run, and an invisible watermark.

Every image file written for a run carries the generator (the run's config name), the run's id,
the step of its weights and gankit's version: as PNG text chunks, or as the comment of a GIF or
JPEG. Images of at least `watermark.MIN_SIZE` px also carry an invisible mark whose 32-bit payload
is the first 8 hex digits of the run's id, which survives re-encoding that strips the metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin

from gankit.utils import run_dir as rd
from gankit.utils.watermark import MIN_SIZE, WatermarkReading, embed_watermark, read_watermark
from gankit.version import __version__

KEYS = ("generator", "run", "step", "version")
PREFIX = "gankit:"  # PNG text keywords: gankit:generator, gankit:run, ...


@dataclass(frozen=True)
class Provenance:
    """Who made an image: the generator (config name), the run's id, the step of the weights, gankit's version."""

    generator: str
    run: str
    step: int
    version: str = __version__
    watermark: bool = True  # False: metadata only (--no-watermark)

    @property
    def payload(self) -> int:
        """The watermark's 32-bit payload: the first 8 hex digits of the run's id."""
        return run_payload(self.run)

    def at(self, step: int) -> Provenance:
        """The same run's provenance at another step (the pictures drawn during training)."""
        return replace(self, step=int(step))

    def fields(self) -> dict[str, str]:
        """The metadata as text fields."""
        return {"generator": self.generator, "run": self.run, "step": str(self.step), "version": self.version}


def run_payload(run: str) -> int:
    """A run id's 32-bit watermark payload."""
    return int(run[:8], 16)


def for_run(path: str | Path, step: int, watermark: bool = True) -> Provenance:
    """The provenance of images drawn from the run in folder `path` at `step` (generator: its config's name)."""
    try:
        generator = str(json.loads((Path(path) / rd.CONFIG).read_text()).get("name", "custom"))
    except (OSError, ValueError):
        generator = "unknown"
    return Provenance(generator=generator, run=rd.run_id(path), step=int(step), watermark=watermark)


def mark(array: np.ndarray, provenance: Provenance) -> np.ndarray:
    """The image with the run's invisible watermark, when asked for and the image is large enough."""
    if provenance.watermark and min(array.shape[:2]) >= MIN_SIZE:
        return embed_watermark(array, provenance.payload)
    return array


def save_options(provenance: Provenance, fmt: str) -> dict[str, Any]:
    """Pillow save() options that store the metadata in a file of format `fmt` (PNG, GIF, JPEG; others: none)."""
    fields = provenance.fields()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        for key, value in fields.items():
            info.add_text(PREFIX + key, value)
        info.add_text("Software", f"gankit {provenance.version}")
        return {"pnginfo": info}
    if fmt in ("GIF", "JPEG"):
        return {"comment": json.dumps({PREFIX + k: v for k, v in fields.items()}).encode()}
    return {}


def read_metadata(image: Image.Image) -> dict[str, str] | None:
    """The gankit metadata of an opened image file (keys generator, run, step, version), or None."""
    info = dict(getattr(image, "text", {}) or {})
    comment = image.info.get("comment")
    if comment:
        try:
            decoded = json.loads(comment.decode() if isinstance(comment, bytes) else comment)
            if isinstance(decoded, dict):
                info.update(decoded)
        except (ValueError, UnicodeDecodeError):
            pass  # somebody else's comment: not ours
    found = {k: str(info[PREFIX + k]) for k in KEYS if PREFIX + k in info}
    return found if "run" in found else None


def read_mark(image: Image.Image) -> WatermarkReading:
    """Read the invisible watermark of an opened image (luma of its pixels)."""
    return read_watermark(np.asarray(image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode)))
