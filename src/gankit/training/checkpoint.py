"""Checkpoints written atomically: weights as safetensors, the rest as a weights-only torch file.

Layout inside a run folder:
    checkpoints/step_0001000/{G,D,G_ema}.safetensors  state.pt  manifest.json
    checkpoints/latest.json   {"step": 1000, "dir": "step_0001000"}
    snapshots/step_0009500/{G or G_ema,D}.safetensors  manifest.json   (sample.mixture: weights only)
A checkpoint folder is filled under a temporary name, synced, and renamed only when complete;
latest.json is replaced atomically after that. Each folder's manifest records every file's size
and SHA-256, so a truncated or damaged checkpoint is recognised, and `latest_checkpoint` falls
back to the newest intact one, with a warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file
from safetensors.torch import save as safetensors_bytes

from gankit.errors import CheckpointError, GankitWarning, TrainingDiverged
from gankit.utils.atomic import fsync_dir, write_bytes_synced, write_json_atomic

LATEST = "latest.json"
MANIFEST = "manifest.json"
PARTIAL_PREFIXES = (".tmp-step_", ".old-step_")  # what an interrupted write leaves behind


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


def _encode(weights: dict[str, dict[str, torch.Tensor]], extra: dict[str, Any] | None) -> dict[str, bytes]:
    """Every file of a checkpoint folder, as bytes: the manifest can then hash what is written."""
    files = {f"{name}.safetensors": safetensors_bytes({k: v.detach().contiguous().cpu() for k, v in tensors.items()})
             for name, tensors in weights.items()}
    if extra is not None:
        buffer = io.BytesIO()
        torch.save(extra, buffer)
        files["state.pt"] = buffer.getvalue()
    return files


def _write_folder(root: Path, step: int, weights: dict[str, dict[str, torch.Tensor]], extra: dict[str, Any] | None) -> Path:
    """Fill a temporary folder, sync it, then rename it to step_XXXXXXX (replacing an older one of that step).

    A failed write (a full disk, a read-only folder) removes the temporary folder before the error goes on.
    """
    root.mkdir(parents=True, exist_ok=True)
    final = root / _name(step)
    tmp = root / f".tmp-{_name(step)}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        files = _encode(weights, extra)
        manifest = {"step": step, "files": {n: {"bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                                            for n, b in files.items()}}
        for name, data in files.items():
            write_bytes_synced(tmp / name, data)
        write_bytes_synced(tmp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        fsync_dir(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        old = root / f".old-{_name(step)}-{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
    fsync_dir(root)
    return final


def _prune(root: Path, keep: int) -> None:
    for old in step_folders(root)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def step_folders(root: str | os.PathLike) -> list[Path]:
    """The step_* folders under `root`, oldest first (whole or not)."""
    return sorted(p for p in Path(root).glob("step_*") if p.is_dir())


def remove_partial_writes(root: str | os.PathLike) -> list[Path]:
    """Delete what interrupted writes left under `root` (.tmp-/.old- folders); returns what went. Hold the run's lock."""
    gone = [p for p in Path(root).glob(".*") if p.name.startswith(PARTIAL_PREFIXES)] if Path(root).is_dir() else []
    for p in gone:
        shutil.rmtree(p, ignore_errors=True)
    return gone


def checkpoint_problem(folder: str | os.PathLike) -> str | None:
    """Why a checkpoint folder cannot be trusted (a missing, truncated or altered file), or None when it is intact."""
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder.name} does not exist"
    manifest = folder / MANIFEST
    if not manifest.is_file():  # written before manifests existed: check that the files are whole
        return _legacy_problem(folder)
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError, TypeError, OSError):
        return f"{folder.name}/{MANIFEST} is corrupt"
    for name, facts in files.items():
        path = folder / name
        if not path.is_file():
            return f"{folder.name}/{name} is missing"
        data = path.read_bytes()
        if len(data) != facts.get("bytes") or hashlib.sha256(data).hexdigest() != facts.get("sha256"):
            return f"{folder.name}/{name} is damaged (its size or checksum differs from the manifest)"
    return None


def _legacy_problem(folder: Path) -> str | None:
    """A folder without a manifest: every safetensors file must hold the bytes its header promises."""
    for path in folder.glob("*.safetensors"):
        try:
            with path.open("rb") as f:
                n = int.from_bytes(f.read(8), "little")
                header = json.loads(f.read(n))
            end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
        except (ValueError, KeyError, TypeError, OSError):
            return f"{folder.name}/{path.name} is corrupt"
        if path.stat().st_size != 8 + n + end:
            return f"{folder.name}/{path.name} is truncated"
    return None


def _pointed(root: Path) -> tuple[Path | None, str]:
    """The folder latest.json names, or None and why it cannot be used."""
    pointer = root / LATEST
    if not pointer.is_file():
        return None, f"{pointer} is missing"
    try:
        return root / json.loads(pointer.read_text())["dir"], ""
    except (ValueError, KeyError, TypeError, OSError):
        return None, f"{pointer} is corrupt"


def latest_checkpoint(root: str | os.PathLike,
                      problem_of: Callable[[Path], str | None] = checkpoint_problem) -> Path:
    """The newest intact checkpoint folder under `root`: the one latest.json names, else (with a warning) the newest whole one.

    `problem_of` says what is wrong with a folder (None: intact); a caller that asks often (gankit view)
    passes one that remembers its answers. Raises CheckpointError when no intact checkpoint is left.
    """
    root = Path(root)
    pointed, why = _pointed(root)
    if pointed is not None:
        problem = problem_of(pointed)
        if problem is None:
            return pointed
        why = f"checkpoint {problem}"
    others = [p for p in reversed(step_folders(root)) if p != pointed]
    for folder in others:
        if problem_of(folder) is None:
            warnings.warn(f"{why}; using {folder.name}, the newest intact checkpoint in {root}", GankitWarning,
                          stacklevel=2)
            return folder
    if pointed is None and not others:
        raise CheckpointError(f"no checkpoint in {root} (was the run started? it writes one every log.checkpoint_every steps)")
    raise CheckpointError(f"{why}, and no older intact checkpoint is in {root};\nstart a new run (the samples and logs remain)")


def load_weights(ckpt: str | os.PathLike, name: str, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """Read one network's tensors (e.g. 'G_ema') from a checkpoint folder."""
    path = Path(ckpt) / f"{name}.safetensors"
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the checkpoint holds no weights for {name}")
    try:
        return load_file(str(path), device=str(device))
    except Exception as e:  # safetensors raises its own error types for corrupt headers
        raise CheckpointError(f"cannot read {path}: {e}") from None


def load_into(net: torch.nn.Module, tensors: dict[str, torch.Tensor], source: Path) -> None:
    """Load tensors into a network, refusing weights that do not fit it with a message naming the file."""
    try:
        net.load_state_dict(tensors)
    except RuntimeError as e:
        raise weights_do_not_fit(source, e) from None


def weights_do_not_fit(source: Path, e: RuntimeError) -> CheckpointError:
    """The error for weights that load_state_dict refused: the run's config.json no longer describes them."""
    first = next((line.strip() for line in str(e).splitlines()[1:] if line.strip()), str(e))[:120]
    return CheckpointError(f"{source} does not fit the networks its run's config.json describes ({first});\n"
                           "was config.json edited? restore it, or start a new run")


def load_extra(ckpt: str | os.PathLike) -> dict[str, Any]:
    """Read the optimiser/RNG/counter state of a checkpoint (weights_only: no code is unpickled)."""
    path = Path(ckpt) / "state.pt"
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: the checkpoint cannot be resumed")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # torch's own advice (weights_only=False) would run whatever code the file holds
        raise CheckpointError(f"cannot read {path}: it is damaged, or holds more than tensors (gankit never unpickles "
                              "code);\nresume from an older checkpoint folder, or start a new run") from None
