"""Seeding and capture/restore of every random number generator a run uses."""

from __future__ import annotations

import ast
import random
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def derive_seed(seed: int, *streams: int) -> int:
    """A stable 63-bit seed for a named sub-stream (e.g. per rank, per epoch)."""
    ss = np.random.SeedSequence([seed % 2**63, *streams])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A torch.Generator on `device` seeded with `seed`."""
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g


def global_rng_state() -> dict[str, Any]:
    """The state of Python's, NumPy's and torch's global generators, as tensors and plain types."""
    np_state = np.random.get_state()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy_keys": torch.from_numpy(np_state[1].astype(np.int64)),
        "numpy_pos": int(np_state[2]),
        "python": repr(random.getstate()),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_global_rng_state(state: dict[str, Any]) -> None:
    """Restore generators saved by `global_rng_state`."""
    torch.set_rng_state(state["torch"])
    keys = state["numpy_keys"].numpy().astype(np.uint32)
    np.random.set_state(("MT19937", keys, state["numpy_pos"], 0, 0.0))
    random.setstate(_tuples(ast.literal_eval(state["python"])))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _tuples(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return tuple(_tuples(o) for o in obj)
    return obj
