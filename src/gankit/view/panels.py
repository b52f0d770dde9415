"""The applications' panels of `gankit view`: translate an upload, draw a caption, compose music, judge an image.

Each works on files the server writes in its own scratch folder, never in a run folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from gankit.composer import Composer
from gankit.detect.detector import META, load_detector
from gankit.detect.inputs import Images
from gankit.detect.provenance import describe, find_runs, inspect
from gankit.errors import ConfigError, DataError, GankitError
from gankit.illustrator import Illustrator
from gankit.run import Run
from gankit.translator import Translator, read_image
from gankit.utils import run_dir as rd
from gankit.utils.images import make_grid, to_uint8
from gankit.utils.run_dir import read_json
from gankit.view.runs import folders_under

MAX_UPLOAD_SIDE = 256  # larger uploads are shrunk first: the page answers at once, and the runs train on small images
MAX_UPLOAD_PIXELS = 40_000_000
MAX_CAPTION = 200


def panels(run: Run) -> list[str]:
    """The panels a run has, in the order the page shows them."""
    if run.kind == "points":
        return ["game", "lab"]
    if run.spec.translates:
        return ["game", "translate"]
    if run.config.game == "text2img":
        return ["game", "text2img"]
    if run.kind == "tokens":
        return ["game", "music"]
    return ["game", "explore"]


def read_upload(path: Path, channels: int = 3) -> Image.Image:
    """An uploaded image, upright, shrunk to at most MAX_UPLOAD_SIDE px; an unreadable one is refused by name."""
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_UPLOAD_PIXELS:  # read from the header, before decoding
                raise DataError(f"the upload is {image.width}x{image.height}; send an image under 40 megapixels")
            image = ImageOps.exif_transpose(image).convert("L" if channels == 1 else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"the upload is not a readable image ({type(e).__name__}); send a PNG or JPEG") from None
    image.thumbnail((MAX_UPLOAD_SIDE, MAX_UPLOAD_SIDE))
    return image


def translate_both(run: Run, upload: Path) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The upload translated in every direction the run has: (direction, input, output) uint8 arrays."""
    translator = Translator(run)
    small = upload.with_suffix(".small.png")
    read_upload(upload, translator.channels).save(small)
    try:
        x = read_image(small, translator.channels)
    finally:
        small.unlink(missing_ok=True)
    domains = translator.domains
    out = []
    for direction in translator.directions:
        y = translator.translate(x, direction)
        names = (domains[0], domains[1]) if direction == "AtoB" else (domains[1], domains[0])
        out.append((f"{names[0]} → {names[1]}", to_uint8(translator.match_channels(x))[0], to_uint8(y)[0]))
    return out


def caption_row(run: Run, caption: str, seed: int = 0, n: int = 8) -> np.ndarray:
    """n drawings of one caption, in a row (the same noise for every caption, as `gankit text2img`)."""
    caption = caption.strip()
    if not caption or len(caption) > MAX_CAPTION:
        raise ConfigError(f"write a caption of 1 to {MAX_CAPTION} characters, e.g. \"a large red circle\"")
    if not 1 <= n <= 16:
        raise ConfigError(f"n must be between 1 and 16, got {n}")
    images = Illustrator(run).draw([caption], n=n, seed=seed)[0]
    return make_grid(to_uint8(images), nrow=n)


@dataclass
class Piece:
    """One composed piece: its piano roll, MIDI and (when FluidSynth is here) WAV, and why there is no WAV."""

    roll: Path
    midi: Path
    wav: Path | None
    note: str | None


def compose(run: Run, out: Path, seed: int = 0, temperature: float = 1.0) -> Piece:
    """One piece of the run's music into `out` (a scratch folder of the server)."""
    if not 0.1 <= temperature <= 3.0:
        raise ConfigError(f"temperature must be between 0.1 and 3, got {temperature}")
    written = Composer(run).write(out, n=1, seed=seed, temperature=temperature)
    return Piece(written.rolls[0], written.midi[0], written.wav[0] if written.wav else None, written.audio_problem)


def detector_folders(roots: list[Path], runs: list[Path], depth: int = 4) -> list[Path]:
    """Every detector folder (one holding detector.json) under `roots`, and those the runs' detectors.json name."""
    found = {c.resolve() for r in roots for c in folders_under(r, lambda c: (c / META).is_file(), depth)}
    for run in runs:
        for entry in read_json(run / rd.DETECTORS).get("detectors", []):
            path = Path(str(entry.get("path", ""))) if isinstance(entry, dict) else None
            if path is not None and (path / META).is_file():
                found.add(path.resolve())
    return sorted(found)


def _trained_on(folder: Path) -> list[str]:
    generated = read_json(folder / META).get("trained_on", {}).get("generated", [])
    return [str(s.get("name", s.get("path", "?"))) for s in generated if isinstance(s, dict)]


def judge(upload: Path, roots: list[Path], runs: list[Path]) -> tuple[np.ndarray, dict[str, Any]]:
    """Every detector's probability that the upload is generated, and the provenance its file carries.

    Detectors are looked for under `roots` and where the `runs`' detectors.json say they were written.
    Returns the upload as read (for the page to show) and the verdicts.
    """
    array = np.asarray(read_upload(upload, channels=3))  # refuses a file that is no image, in the page's words
    finding = inspect(upload, find_runs(roots))
    rows, problems = [], []
    for folder in detector_folders(roots, runs):
        try:
            det = load_detector(folder)
            p = float(det.score(Images(array[None], [upload.name], "the upload"))[0])
        except (GankitError, OSError, ValueError) as e:
            problems.append(f"{folder.name}: {str(e).splitlines()[0]}")
            continue
        rows.append({"name": folder.name, "method": det.method, "probability": p, "trained_on": _trained_on(folder)})
    message = None if rows else ("no detector found: train one with `gankit detect train`, or point "
                                 "`gankit view --detectors DIR` at them")
    provenance = {"found": finding.found, "summary": describe(finding).split(": ", 1)[-1],
                  "runs": [str(p) for p in finding.runs]}
    return array, {"detectors": rows, "problems": problems, "message": message, "provenance": provenance}
