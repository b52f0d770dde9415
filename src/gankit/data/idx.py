"""Read and write IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/).

Layout: two zero bytes, a type code, the number of dimensions; then each dimension as a
big-endian uint32; then the data, big-endian, in C order. Files may be gzip-compressed.
"""

from __future__ import annotations

import gzip
import os
import secrets
import struct
import zlib
from pathlib import Path

import numpy as np

from gankit.errors import DataError

# IDX type code -> numpy dtype (big-endian where it matters).
_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _corrupt(path: Path, problem: str) -> DataError:
    return DataError(f"{path}: {problem}; the file is damaged, re-download or reinstall it "
                     f"(for Debian's Fashion-MNIST: `sudo apt-get install --reinstall dataset-fashion-mnist`)")


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; check the path or download the dataset again") from None
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e}); check its permissions") from None
    # Decide by content, not by name, so a renamed file still reads.
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as e:
        raise _corrupt(path, f"corrupt gzip stream ({e})") from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (plain or gzip) into a native-byte-order numpy array."""
    path = Path(path)
    buf = _read_bytes(path)
    if len(buf) < 4:
        raise _corrupt(path, f"truncated: {len(buf)} bytes, shorter than the 4-byte IDX header")
    zero1, zero2, code, ndim = buf[0], buf[1], buf[2], buf[3]
    if zero1 != 0 or zero2 != 0 or code not in _DTYPES:
        raise _corrupt(path, f"not an IDX file (magic bytes {buf[:4].hex()}, expected 0000 then a type "
                             f"code in {[hex(c) for c in _DTYPES]} and the number of dimensions)")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise _corrupt(path, f"truncated inside the header ({len(buf)} bytes, need {header})")
    shape = struct.unpack(f">{ndim}I", buf[4:header])
    dtype = _DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(buf) - header
    if got < expected:
        raise _corrupt(path, f"truncated: shape {shape} needs {expected} data bytes, found {got}")
    if got > expected:
        raise _corrupt(path, f"{got - expected} bytes of trailing garbage after the data of shape {shape}")
    data = np.frombuffer(buf, dtype=dtype, offset=header, count=expected // dtype.itemsize)
    # Copy into native order: torch.from_numpy rejects big-endian and read-only buffers warn.
    return data.reshape(shape).astype(dtype.newbyteorder("="), copy=True)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write an array as an IDX file, gzip-compressed when the path ends in .gz; the write is atomic."""
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise DataError(f"write_idx({path}): dtype {array.dtype} has no IDX code; convert the array to one of "
                        f"uint8, int8, int16, int32, float32, float64 first")
    if array.ndim > 255:
        raise DataError(f"write_idx({path}): {array.ndim} dimensions, IDX allows at most 255")
    code = _CODES[native]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)  # mtime=0 makes the bytes reproducible
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temp file beside the target, then a rename: readers never see half a file.
    # open(..., "xb") rather than mkstemp so the file gets the usual umask permissions, not 0600.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(payload)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
