"""`gankit provenance`: which run made an image, from its metadata and its invisible watermark."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from gankit.data.folder import IMAGE_EXTENSIONS, READ_ERRORS, images_under
from gankit.errors import DataError
from gankit.utils import run_dir as rd
from gankit.utils.provenance import read_mark, read_metadata, run_payload
from gankit.utils.watermark import WatermarkReading

MAX_DEPTH = 4  # how deep below a runs folder run folders are looked for


@dataclass
class Finding:
    """What one image file says about where it came from."""

    path: Path
    metadata: dict[str, str] | None = None
    mark: WatermarkReading | None = None
    runs: list[Path] = field(default_factory=list)  # run folders whose id matches the metadata or the mark

    @property
    def found(self) -> bool:
        """Whether anything at all names a gankit run."""
        return self.metadata is not None or bool(self.mark and self.mark.found)


def find_runs(roots: list[Path]) -> dict[str, list[Path]]:
    """Run folders below `roots` (at most MAX_DEPTH deep), by run id."""
    runs: dict[str, list[Path]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            depth = len(Path(dirpath).relative_to(root).parts)
            dirnames[:] = [] if depth >= MAX_DEPTH else sorted(d for d in dirnames if not d.startswith("."))
            if rd.CONFIG in filenames and rd.DATA_INFO in filenames:
                runs.setdefault(rd.run_id(dirpath), []).append(Path(dirpath))
    return runs


def _matches(finding: Finding, runs: dict[str, list[Path]]) -> list[Path]:
    if finding.metadata is not None and finding.metadata["run"] in runs:
        return runs[finding.metadata["run"]]
    if finding.mark is not None and finding.mark.found:
        return [p for rid, paths in runs.items() if run_payload(rid) == finding.mark.payload for p in paths]
    return []


def inspect(path: Path, runs: dict[str, list[Path]]) -> Finding:
    """Read one image file's metadata and watermark, and the run folders they name."""
    try:
        with Image.open(path) as image:
            image.load()
            finding = Finding(path, read_metadata(image), read_mark(image))
    except READ_ERRORS as e:
        raise DataError(f"{path} is not a readable image ({str(e).splitlines()[0]})") from None
    finding.runs = _matches(finding, runs)
    return finding


def image_files(path: Path) -> list[Path]:
    """The image files a path names: itself, or every image below a folder."""
    if not path.exists():
        raise DataError(f"{path} does not exist; give image files or folders of them")
    if path.is_dir():
        files = images_under(path, IMAGE_EXTENSIONS)
        if not files:
            raise DataError(f"{path} holds no images ({', '.join(IMAGE_EXTENSIONS)})")
        return files
    return [path]


def describe(f: Finding) -> str:
    """One or two lines on what was found."""
    if not f.found:
        return f"{f.path}: no provenance found (no gankit metadata, no watermark)"
    parts = []
    if f.metadata is not None:
        m = f.metadata
        parts.append(f"metadata: {m.get('generator', '?')}, run {m['run']}, step {m.get('step', '?')}, "
                     f"gankit {m.get('version', '?')}")
    if f.mark is not None and f.mark.found:
        parts.append(f"watermark: run {f.mark.payload:08x}… (score {f.mark.score:.3f})")
    elif f.mark is not None:
        parts.append("no watermark")
    made = (f"made by {', '.join(str(p) for p in f.runs)}" if f.runs else
            "the run folder is not here (look with --runs DIR)")
    return f"{f.path}: {made}\n  " + "; ".join(parts)
