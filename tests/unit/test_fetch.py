"""Fetching the reference CycleGAN/pix2pix datasets: names, safe unpacking and clean failures (no network)."""

from __future__ import annotations

import functools
import http.server
import io
import tarfile
import threading
import urllib.error
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from gankit.data import fetch, load_dataset
from gankit.data.fetch import REFERENCE_DATASETS, fetch_dataset, folder_name, resolve_reference
from gankit.errors import DataError


def _png(size=(32, 32), color=(10, 20, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def _zip(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _tar(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tf.addfile(info)


@pytest.fixture
def served(tmp_path) -> Path:
    """A local mirror folder laid out like the reference host (cyclegan/datasets/, pix2pix/datasets/)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    return folder


def _cyclegan_members(top: str = "mini") -> dict[str, bytes]:
    return {f"{top}/{split}{d}/{i}.png": _png(color=(i, 0, 0)) for split in ("train", "test") for d in "AB"
            for i in range(2)}


def _left_clean(dest: Path, before: set[str]) -> None:
    assert not dest.exists() or {p.name for p in dest.iterdir()} == before


# ------------------------------------------------------------------ names


def test_reference_table_holds_both_sources():
    assert len(REFERENCE_DATASETS) == 21
    assert REFERENCE_DATASETS["cyclegan/horse2zebra"] == (
        "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip", "unpaired-folder")
    assert REFERENCE_DATASETS["pix2pix/edges2shoes"] == (
        "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/edges2shoes.tar.gz", "paired-folder")
    assert resolve_reference("horse2zebra") == "cyclegan/horse2zebra"
    assert resolve_reference("night2day") == "pix2pix/night2day"
    assert folder_name("cyclegan/horse2zebra") == "horse2zebra"
    assert folder_name("pix2pix/facades") == "pix2pix_facades"


def test_ambiguous_and_unknown_names_say_what_to_choose():
    with pytest.raises(DataError, match="choose one of cyclegan/facades, pix2pix/facades") as e:
        resolve_reference("facades")
    assert str(e.value).count("\n") <= 1
    with pytest.raises(DataError, match="unknown reference dataset 'horse2zebras'") as e:
        fetch_dataset("horse2zebras", "unused")
    message = str(e.value)
    assert message.count("\n") <= 1 and "horse2zebra" in message and "pix2pix/maps" in message


# ------------------------------------------------------------------ fetching


def test_fetch_zip_unpacks_the_cyclegan_layout(served, tmp_path):
    _zip(served / "cyclegan" / "datasets" / "mini.zip", _cyclegan_members())
    dest = tmp_path / "datasets"
    root = fetch_dataset("mini", dest, base_url=served.as_uri())
    assert root == dest / "mini"
    assert sorted(p.name for p in root.iterdir()) == ["testA", "testB", "trainA", "trainB"]
    assert [p.name for p in dest.iterdir()] == ["mini"]  # no temporary files left
    ds = load_dataset("unpaired-folder", path=root, split="test", cache=False)
    assert ds.x.shape == (4, 3, 32, 32)
    (served / "cyclegan" / "datasets" / "mini.zip").unlink()
    assert fetch_dataset("cyclegan/mini", dest, base_url=served.as_uri()) == root  # already there: no download


def test_fetch_tar_gz_unpacks_the_pix2pix_layout(served, tmp_path):
    pairs = {f"facades/{split}/{i}.png": _png(size=(64, 32)) for split in ("train", "val") for i in range(3)}
    _tar(served / "pix2pix" / "datasets" / "facades.tar.gz", pairs)
    dest = tmp_path / "datasets"
    root = fetch_dataset("pix2pix/facades", dest, base_url=served.as_uri() + "/")
    assert root == dest / "pix2pix_facades" and sorted(p.name for p in root.iterdir()) == ["train", "val"]
    ds = load_dataset("paired-folder", path=root, cache=False)
    assert ds.x.shape == (6, 3, 32, 32) and ds.meta["paired"] is True


def test_a_root_at_the_archive_top_is_kept(served, tmp_path):
    members = {k.split("/", 1)[1]: v for k, v in _cyclegan_members().items()}  # no top folder
    _zip(served / "cyclegan" / "datasets" / "horse2zebra.zip", members)
    root = fetch_dataset("horse2zebra", tmp_path / "d", base_url=served.as_uri())
    assert (root / "trainA" / "0.png").is_file() and root == tmp_path / "d" / "horse2zebra"


@pytest.mark.parametrize("archive, data", [
    ("cyclegan/datasets/mini.zip", b"PK\x03\x04 this is not a zip file at all"),
    ("pix2pix/datasets/edges2shoes.tar.gz", b"\x1f\x8b\x08\x00 broken gzip"),
])
def test_a_corrupt_archive_is_refused_and_leaves_dest_clean(served, tmp_path, archive, data):
    (served / archive).parent.mkdir(parents=True)
    (served / archive).write_bytes(data)
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    name = Path(archive).name.split(".")[0]
    with pytest.raises(DataError, match=r"(?s)not a valid .*download it by hand from file://") as e:
        fetch_dataset(name, dest, base_url=served.as_uri())
    assert str(e.value).count("\n") <= 1
    _left_clean(dest, {"keep.txt"})


@pytest.mark.parametrize("kind, members, links", [
    ("zip", {"mini/trainA/1.png": b"x", "../evil.txt": b"gotcha"}, None),
    ("zip", {"/tmp/evil.txt": b"gotcha"}, None),
    ("tar", {"facades/train/1.png": b"x", "facades/../../evil.txt": b"gotcha"}, None),
    ("tar", {"facades/train/1.png": b"x"}, {"facades/train/link": "/etc/passwd"}),
])
def test_unsafe_members_are_refused_and_nothing_is_written(served, tmp_path, kind, members, links):
    if kind == "zip":
        _zip(served / "cyclegan" / "datasets" / "mini.zip", members)
        name = "mini"
    else:
        _tar(served / "pix2pix" / "datasets" / "night2day.tar.gz", members, links)
        name = "night2day"
    dest = tmp_path / "work" / "datasets"
    with pytest.raises(DataError, match="unsafe member|a link or device") as e:
        fetch_dataset(name, dest, base_url=served.as_uri())
    assert str(e.value).count("\n") <= 1
    assert not dest.exists()  # made by the fetch, so removed again
    assert not list(tmp_path.rglob("evil.txt"))


def test_a_missing_file_says_how_to_get_it_by_hand(served, tmp_path):
    dest = tmp_path / "datasets"
    with pytest.raises(DataError, match=r"could not download file://.*maps\.zip.*\nFix: download it by hand"):
        fetch_dataset("cyclegan/maps", dest, base_url=served.as_uri())
    assert not dest.exists()


def test_no_network_is_a_data_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", offline)
    with pytest.raises(DataError, match=r"name resolution.*check the network\nFix: download it by hand from "
                                         r"http://efrosgans\.eecs\.berkeley\.edu/cyclegan/datasets/mini\.zip"):
        fetch_dataset("mini", tmp_path / "d")
    assert not (tmp_path / "d").exists()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.loopback
def test_http_404_is_reported(tmp_path, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "served").mkdir()
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with pytest.raises(DataError, match=r"HTTP 404.*\nFix: download it by hand"):
            fetch_dataset("mini", tmp_path / "d", base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert not (tmp_path / "d").exists()


def test_a_destination_that_cannot_be_written_is_refused(served, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataError, match="cannot write to .*a-file/datasets") as e:
        fetch_dataset("mini", blocker / "datasets", base_url=served.as_uri())
    assert str(e.value).count("\n") <= 1


def test_the_fetch_command_lists_and_fetches_from_a_mirror(served, tmp_path, capsys):
    from gankit.cli.main import main

    assert main(["fetch"]) == 0
    assert "cyclegan/horse2zebra" in capsys.readouterr().out
    _zip(served / "cyclegan" / "datasets" / "mini.zip", _cyclegan_members())
    assert main(["fetch", "mini", "--dest", str(tmp_path / "d"), "--mirror", served.as_uri()]) == 0
    out = capsys.readouterr().out
    assert "folder-cyclegan --data-path" in out and (tmp_path / "d" / "mini" / "trainA").is_dir()
    assert main(["fetch", "nosuchset", "--dest", str(tmp_path / "e")]) == 2
    assert "nosuchset" in capsys.readouterr().err
