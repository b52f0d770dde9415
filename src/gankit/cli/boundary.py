"""The CLI's one error boundary: every failure becomes one or two lines and an exit code, never a traceback.

Exit codes: 0 done, 1 a failure at run time (divergence, a full disk, a bug), 2 bad input,
130 interrupted, 141 the reader of stdout left (a pipe to `head`). GANKIT_DEBUG=1 prints the traceback as well.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator

from gankit.errors import GankitError, GankitWarning

BAD_PATH = {  # errno -> (what happened, what to do); these are bad input (exit 2)
    errno.EACCES: ("permission denied", "choose a place you can write to (e.g. --out)"),
    errno.EPERM: ("operation not permitted", "choose a place you can write to (e.g. --out)"),
    errno.EROFS: ("read-only file system", "choose a writable place (e.g. --out)"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ENOTDIR: ("a file stands where a folder is needed", "check the path"),
    errno.EISDIR: ("a folder stands where a file is needed", "give a file name"),
    errno.EEXIST: ("a file stands where a folder is needed", "check the path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
}


def describe_os_error(e: OSError) -> tuple[str, int]:
    """(two lines for an OS error, its exit code): the path, what happened and what to do."""
    where = f" {e.filename}" if e.filename else ""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"no space left on the device, writing{where};\nfree some space and run the command again "
                "(a run continues from its last checkpoint with `gankit train --resume RUN`)"), 1
    if e.errno in BAD_PATH:
        what, todo = BAD_PATH[e.errno]
        return f"{what}:{where}; {todo}", 2
    return f"{e.strerror or e}:{where}", 1


def debugging() -> bool:
    """Whether GANKIT_DEBUG asks for tracebacks."""
    return os.environ.get("GANKIT_DEBUG", "") not in ("", "0")


def guarded(command: str, call: Callable[[], int]) -> int:
    """Run one subcommand and turn any failure into a short message on stderr and an exit code."""
    prefix = f"gankit {command}"
    try:
        with _cli_warnings(prefix), _sigterm_as_interrupt():
            return call()
    except BaseException as e:  # the boundary: nothing may escape as a traceback
        if isinstance(e, SystemExit):
            raise
        if isinstance(e, BrokenPipeError):  # the reader left (`| head`): stop quietly, as a Unix tool does
            _silence_stdout()
            return 128 + signal.SIGPIPE
        if debugging():
            traceback.print_exc()
        message, code = _explain(e)
        print(f"{prefix}: {message}", file=sys.stderr)
        return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush cannot raise on the closed pipe again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _explain(e: BaseException) -> tuple[str, int]:
    if isinstance(e, GankitError):
        return f"error: {e}", e.exit_code
    if isinstance(e, KeyboardInterrupt):
        return "interrupted; no file was left half-written", 130
    if isinstance(e, OSError):
        message, code = describe_os_error(e)
        return f"error: {message}", code
    if isinstance(e, MemoryError) or "out of memory" in str(e).lower():
        return "error: out of memory; lower train.batch_size (or the --n of this command) and try again", 1
    first = (str(e).strip().splitlines() or [""])[0][:200]
    return (f"internal error: {type(e).__name__}: {first}\n"
            "rerun with GANKIT_DEBUG=1 to see the traceback, and please report it"), 1


@contextlib.contextmanager
def _cli_warnings(prefix: str) -> Iterator[None]:
    """gankit's own warnings (an older checkpoint used, a stale lock taken over) as one line each."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", GankitWarning)
        default = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None) -> None:
            if issubclass(category, GankitWarning):
                print(f"{prefix}: warning: {message}", file=sys.stderr)
            else:
                default(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does (training installs its own handler that checkpoints first)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
