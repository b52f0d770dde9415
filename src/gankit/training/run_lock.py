"""One writer per run folder: an advisory lock file that names its owner (PID, host, start time).

The lock is an `fcntl.flock` on RUN/train.lock, held for as long as the training process lives.
The kernel releases it when the process ends, however it ends, so a lock left by a dead process
is recognised without guessing from PIDs: its file still names the old owner, but nobody holds
it. Such a lock is taken over with a warning. The file is emptied, never deleted, on release:
deleting it would let a process that opened the old file and one that creates a new file both
believe they hold the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
import warnings
from pathlib import Path
from types import TracebackType

from gankit.errors import GankitWarning, RunBusy

LOCK = "train.lock"


def _describe(owner: dict) -> str:
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(owner.get("started", 0)))
    return f"PID {owner.get('pid', '?')} on {owner.get('host', '?')} (since {since})"


class RunLock:
    """Hold RUN/train.lock while training: a second trainer of the same run is refused with the owner's PID."""

    def __init__(self, run: str | os.PathLike) -> None:
        self.run = Path(run)
        self.path = self.run / LOCK
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock, or raise RunBusy naming the process that holds it; a dead owner's lock is taken over."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read(fd)
            os.close(fd)
            raise RunBusy(f"{self.run} is being trained by {_describe(owner)};\n"
                          "wait for it to finish, or stop that process first") from None
        previous = _read(fd)
        if previous:
            warnings.warn(f"took over the lock of {self.run} left by {_describe(previous)}, which is no longer running",
                          GankitWarning, stacklevel=2)
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(owner) + "\n").encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Empty the lock file and let go of it."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read(fd: int) -> dict:
    """The owner recorded in the lock file ({} when it is empty or unreadable)."""
    try:
        owner = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {"pid": "unknown"}
    return owner if isinstance(owner, dict) else {"pid": "unknown"}


def lock_owner(run: str | os.PathLike) -> dict | None:
    """Who is training `run` now ({'pid', 'host', 'started'}), or None when nobody holds its lock."""
    path = Path(run) / LOCK
    if not path.is_file():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
