"""Download and unpack the reference translation datasets of junyanz/pytorch-CycleGAN-and-pix2pix.

Names are "cyclegan/<name>" (zips in the CycleGAN layout trainA/ trainB/ testA/ testB/; mini_pix2pix
is side by side) and "pix2pix/<name>" (tarballs of A|B images in train/ val/ test/). A bare name
resolves when only one source has it; facades, maps and cityscapes are in both, so say which.
The archive is downloaded to a temporary file in dest, unpacked into a temporary folder there (members
with absolute paths, '..' or links are refused) and its dataset root renamed onto dest/<folder>:
a failed fetch leaves nothing half-made.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from gankit.errors import DataError

HOST = "http://efrosgans.eecs.berkeley.edu"
_CYCLEGAN = ("apple2orange", "summer2winter_yosemite", "horse2zebra", "monet2photo", "cezanne2photo", "ukiyoe2photo",
             "vangogh2photo", "maps", "cityscapes", "facades", "iphone2dslr_flower", "mini", "mini_pix2pix",
             "mini_colorization", "ae_photos")
_PIX2PIX = ("cityscapes", "night2day", "edges2handbags", "edges2shoes", "facades", "maps")
# kind: the gankit dataset that reads the unpacked folder (mini_colorization is one plain image set)
_KIND = {"mini_pix2pix": "paired-folder", "mini_colorization": "folder"}
REFERENCE_DATASETS: dict[str, tuple[str, str]] = {
    **{f"cyclegan/{n}": (f"{HOST}/cyclegan/datasets/{n}.zip", _KIND.get(n, "unpaired-folder")) for n in _CYCLEGAN},
    **{f"pix2pix/{n}": (f"{HOST}/pix2pix/datasets/{n}.tar.gz", "paired-folder") for n in _PIX2PIX},
}
_ROOT_MARKERS = ("trainA", "trainB", "testA", "testB", "train", "test", "val")
_CHUNK = 1 << 20


def _bare(key: str) -> str:
    return key.split("/", 1)[1]


def reference_names() -> list[str]:
    """The names fetch_dataset accepts, shortest form: bare where unique, source/name where not."""
    bares = [_bare(k) for k in REFERENCE_DATASETS]
    return [_bare(k) if bares.count(_bare(k)) == 1 else k for k in REFERENCE_DATASETS]


def resolve_reference(name: str) -> str:
    """A bare or qualified dataset name -> its REFERENCE_DATASETS key; unknown or ambiguous names are refused."""
    if name in REFERENCE_DATASETS:
        return name
    matches = [k for k in REFERENCE_DATASETS if _bare(k) == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise DataError(f"{name!r} is both a CycleGAN and a pix2pix dataset; choose one of {', '.join(matches)}\n"
                        f"(cyclegan/: unpaired zip in trainA/ trainB/; pix2pix/: paired A|B tarball)")
    raise DataError(f"unknown reference dataset {name!r}; valid names:\n{', '.join(reference_names())}")


def folder_name(key: str) -> str:
    """The folder a dataset is unpacked to: its bare name, or source_name when the bare one is ambiguous."""
    return _bare(key) if _bare(key) in reference_names() else key.replace("/", "_")


def _url(key: str, base_url: str | None) -> str:
    url = REFERENCE_DATASETS[key][0]
    return url if base_url is None else base_url.rstrip("/") + urllib.parse.urlsplit(url).path


# ---------------------------------------------------------------- download

def _download(url: str, target: Path, timeout: float, fix: str) -> None:
    """Stream url into target (a fresh file) with a progress bar."""
    from tqdm.auto import tqdm  # lazy: only a fetch needs it

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            quiet = os.environ.get("GANKIT_PROGRESS", "1") == "0"
            with tqdm(total=total, unit="B", unit_scale=True, desc=Path(url).name, disable=quiet) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as e:
        raise DataError(f"{url}: HTTP {e.code} {e.reason}; the server has no such file now\nFix: {fix}") from None
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as e:
        reason = getattr(e, "reason", e)
        raise DataError(f"could not download {url} ({reason}); check the network\nFix: {fix}") from None


# ---------------------------------------------------------------- unpack

def _check_member(name: str, archive: str) -> None:
    """Refuse a member that would land outside the folder it is unpacked into."""
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or ".." in PurePosixPath(posix).parts:
        raise DataError(f"{archive} holds an unsafe member {name!r} (absolute path or '..'); it was not unpacked\n"
                        f"Fix: get the archive from the reference URL again, and never unpack this one")


def _unpack(archive: Path, into: Path, url: str) -> None:
    """Unpack a .zip or .tar.gz after checking every member name."""
    if url.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                _check_member(info.filename, Path(url).name)
            zf.extractall(into)
        return
    with tarfile.open(archive, "r:gz") as tf:
        members = tf.getmembers()
        for m in members:
            _check_member(m.name, Path(url).name)
            if not (m.isfile() or m.isdir()):
                raise DataError(f"{Path(url).name} holds {m.name!r}, a link or device, not a file; it was not unpacked\n"
                                f"Fix: get the archive from the reference URL again, and never unpack this one")
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tf.extractall(into, members=members, **extra)


def _dataset_root(folder: Path) -> Path:
    """The folder holding trainA/… or train/…: the unpacked folder itself or its one top-level folder."""
    for _ in range(3):
        if any((folder / m).is_dir() for m in _ROOT_MARKERS):
            return folder
        entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
        if len(entries) != 1 or not entries[0].is_dir():
            return folder
        folder = entries[0]
    return folder


# ---------------------------------------------------------------- public

def _writable(dest: Path, fix: str) -> bool:
    """Create dest if needed (True when this call made it); a folder that cannot be written is refused."""
    made = not dest.exists()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryFile(dir=dest)
        probe.close()
    except OSError as e:
        raise DataError(f"cannot write to {dest} ({e.strerror or e}); choose a folder you can write to\n"
                        f"Fix: pass another destination, or {fix}") from None
    return made


def _unpack_checked(archive: Path, into: Path, url: str, fix: str) -> None:
    """Unpack, turning a damaged or empty archive into a DataError."""
    kind = "zip" if url.endswith(".zip") else "tar.gz"
    try:
        _unpack(archive, into, url)
    except (zipfile.BadZipFile, tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise DataError(f"{url}: not a valid {kind} archive ({type(e).__name__}: {e})\n"
                        f"Fix: fetch it again; if that fails, {fix}") from None
    if not into.is_dir() or not any(into.iterdir()):
        raise DataError(f"{url}: the {kind} archive is empty\nFix: {fix}")


def fetch_dataset(name: str, dest: str | os.PathLike, base_url: str | None = None, timeout: float = 60) -> Path:
    """Download and unpack a reference dataset into dest/<folder>; return the dataset root (with trainA/… or train/…).

    base_url replaces the scheme and host of the reference URL (e.g. a mirror, or file:// in tests).
    A dataset already at dest/<folder> is returned without downloading it again.
    """
    key = resolve_reference(name)
    url, dest = _url(key, base_url), Path(dest).expanduser()
    target = dest / folder_name(key)
    fix = f"download it by hand from {url} and unpack it into {dest}"
    if target.is_dir():
        return _dataset_root(target)
    made = _writable(dest, fix)
    work = None
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=dest))
        archive = work / Path(urllib.parse.urlsplit(url).path).name
        _download(url, archive, timeout, fix)
        _unpack_checked(archive, work / "unpacked", url, fix)
        os.rename(_dataset_root(work / "unpacked"), target)
        return _dataset_root(target)
    except OSError as e:  # a full disk, a folder that appeared meanwhile, ...
        raise DataError(f"could not fetch {key} into {dest} ({type(e).__name__}: {e})\nFix: free space or "
                        f"choose another folder, then run again; or {fix}") from None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        if made and dest.is_dir() and not any(dest.iterdir()):
            dest.rmdir()
