"""Cut token sequences into fixed-length training windows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def window_offsets(length: int, window: int, stride: int) -> range:
    """Start offsets 0, stride, 2·stride, ... of the full windows in a sequence of `length` tokens."""
    return range(0, max(0, length - window + 1), stride)


def cut_windows(sequences: Sequence[np.ndarray], labels: Sequence[int], window: int,
                stride: int) -> tuple[np.ndarray, np.ndarray]:
    """int64 (N, window) windows of every sequence and the label of the sequence each came from."""
    xs, ys = [], []
    for ids, label in zip(sequences, labels, strict=True):
        offsets = list(window_offsets(len(ids), window, stride))
        if offsets:
            views = np.lib.stride_tricks.sliding_window_view(np.asarray(ids, dtype=np.int64), window)
            xs.append(views[offsets])
            ys.append(np.full(len(offsets), label, dtype=np.int64))
    if not xs:
        return np.zeros((0, window), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.ascontiguousarray(np.concatenate(xs)), np.concatenate(ys)
