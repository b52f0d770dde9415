"""How the process reuses freed memory: glibc's malloc told to keep large blocks (mallopt).

A generator's forward pass on a CPU allocates and frees several megabytes per batch. By default,
glibc serves such blocks with fresh mappings and hands freed memory straight back to the OS, so
every batch pays thousands of page faults to touch the same amount of memory again. Kept in the
heap, the blocks are reused. This is what PyTorch's CPU tuning guide gets from jemalloc or
TCMalloc, with the allocator already loaded. The cost: the process keeps up to TRIM_ABOVE of freed
memory until it exits.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
KEEP_BELOW = 16 << 20  # blocks under 16 MiB come from the heap, where freed ones are reused
TRIM_ABOVE = 256 << 20  # the heap returns memory to the OS only when more than 256 MiB of it is free
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")  # glibc's own environment variables


def keep_freed_memory() -> bool:
    """Make glibc reuse freed blocks under KEEP_BELOW rather than unmap them; True when it took effect.

    Nothing changes where the user set glibc's MALLOC_*_THRESHOLD_ variables, or without glibc.
    """
    if any(os.environ.get(name) for name in USER_SETTINGS):
        return False
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:  # not glibc (macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP_BELOW)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE))


def _libc() -> ctypes.CDLL | None:
    """The symbols the process has loaded, libc's among them (find_library would spawn ldconfig)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):  # Windows has no such handle
        return None
