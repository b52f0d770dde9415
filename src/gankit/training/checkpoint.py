"""Checkpoints written atomically: weights as safetensors, the rest as a weights-only torch file.

Layout inside a run folder:
    checkpoints/step_0001000/{G,D,G_ema}.safetensors  state.pt
    checkpoints/latest.json   {"step": 1000, "dir": "step_0001000"}
    snapshots/step_0009500/{G or G_ema,D}.safetensors   (sample.mixture: weights only, never pruned)
A checkpoint folder is complete before it gets its final name, and latest.json is replaced
atomically after that, so a crash at any moment leaves the previous checkpoint usable.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from gankit.errors import CheckpointError, TrainingDiverged
from gankit.utils.atomic import write_json_atomic

LATEST = "latest.json"


def _name(step: int) -> str:
    return f"step_{step:07d}"


def save_checkpoint(
    root: str | os.PathLike, step: int, weights: dict[str, dict[str, torch.Tensor]], extra: dict[str, Any], keep: int = 2
) -> Path:
    """Write one checkpoint under `root`, point latest.json at it and prune all but the newest `keep`."""
    final = _write_folder(Path(root), step, weights, extra)
    write_json_atomic(Path(root) / LATEST, {"step": step, "dir": final.name})
    _prune(Path(root), keep)
    return final


def refuse_nonfinite(weights: dict[str, dict[str, torch.Tensor]], step: int) -> None:
    """Raise TrainingDiverged when a network has NaN or infinite weights: they are never saved."""
    for name, tensors in weights.items():
        if not all(torch.isfinite(t).all() for t in tensors.values() if t.is_floating_point()):
            raise TrainingDiverged(f"{name} has NaN/inf weights at step {step}; the last good checkpoint is kept")


def save_snapshot(root: str | os.PathLike, step: int, weights: dict[str, dict[str, torch.Tensor]]) -> Path:
    """Write the networks' weights alone as `root`/step_XXXXXXX (no optimiser state: it cannot be resumed)."""
    return _write_folder(Path(root), step, weights, None)


def snapshot_dir(root: str | os.PathLike, step: int) -> Path:
    """The folder that `save_snapshot(root, step, ...)` writes."""
    return Path(root) / _name(step)


def _write_folder(root: Path, step: int, weights: dict[str, dict[str, torch.Tensor]], extra: dict[str, Any] | None) -> Path:
    """Fill a temporary folder, then rename it to step_XXXXXXX (replacing an older one of that step)."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / _name(step)
    tmp = root / f".tmp-{_name(step)}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, tensors in weights.items():
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp / f"{name}.safetensors"))
    if extra is not None:
        torch.save(extra, tmp / "state.pt")
    if final.exists():
        old = root / f".old-{_name(step)}-{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
    return final


def _prune(root: Path, keep: int) -> None:
    ckpts = sorted(p for p in root.glob("step_*") if p.is_dir())
    for old in ckpts[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def latest_checkpoint(root: str | os.PathLike) -> Path:
    """The folder of the newest complete checkpoint, or a CheckpointError saying what is missing."""
    root = Path(root)
    pointer = root / LATEST
    if not pointer.is_file():
        raise CheckpointError(f"no checkpoint in {root}: {LATEST} is missing (was the run started?)")
    try:
        path = root / json.loads(pointer.read_text())["dir"]
    except (ValueError, KeyError) as e:
        raise CheckpointError(f"{pointer} is corrupt ({e}); delete it to fall back to an older checkpoint") from None
    if not path.is_dir():
        raise CheckpointError(f"{pointer} points at {path.name}, which does not exist")
    return path


def load_weights(ckpt: str | os.PathLike, name: str, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """Read one network's tensors (e.g. 'G_ema') from a checkpoint folder."""
    path = Path(ckpt) / f"{name}.safetensors"
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the checkpoint holds no weights for {name}")
    try:
        return load_file(str(path), device=str(device))
    except Exception as e:  # safetensors raises its own error types for corrupt headers
        raise CheckpointError(f"cannot read {path}: {e}") from None


def load_extra(ckpt: str | os.PathLike) -> dict[str, Any]:
    """Read the optimiser/RNG/counter state of a checkpoint (weights_only: no code is unpickled)."""
    path = Path(ckpt) / "state.pt"
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the checkpoint cannot be resumed")
    return torch.load(path, map_location="cpu", weights_only=True)
