"""Run folders: where a run's config, data facts, weights, logs and pictures live."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from gankit.utils.atomic import write_text_atomic

CONFIG = "config.json"
DATA_INFO = "data.json"
CHECKPOINTS = "checkpoints"
SNAPSHOTS = "snapshots"  # sample.mixture: the generator snapshots the mixture sampler draws from
METRICS = "metrics.csv"
SAMPLES = "samples"
PLOTS = "plots"
TENSORBOARD = "tb"
BALANCE_LOG = "balance.jsonl"
STATUS = "status.json"  # 'training' while a trainer runs, then how it ended (read by gankit view)
RUN_ID = "run_id"  # a random id made with the folder: what the provenance of the run's images names
MODEL_CARD = "MODEL_CARD.md"
DETECTORS = "detectors.json"  # the detectors trained on this run's output (gankit detect train)


def new_run_dir(out: str | Path) -> Path:
    """Create and return `out`, or `out-2`, `out-3`, ... when it already holds files: never overwrite a run."""
    out = Path(out)
    candidate, i = out, 1
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        i += 1
        candidate = out.with_name(f"{out.name}-{i}")
    candidate.mkdir(parents=True, exist_ok=True)
    return candidate


def new_run_id(path: str | Path) -> str:
    """Give a new run folder its random id (16 hex digits), written once."""
    rid = secrets.token_hex(8)
    write_text_atomic(Path(path) / RUN_ID, rid + "\n")
    return rid


def run_id(path: str | Path) -> str:
    """The run's id: its run_id file, or for folders made before ids a hash of its config and data facts."""
    path = Path(path)
    try:
        return (path / RUN_ID).read_text().strip()
    except OSError:
        digest = hashlib.sha256()
        for name in (CONFIG, DATA_INFO):
            file = path / name
            digest.update(file.read_bytes() if file.is_file() else b"")
        return digest.hexdigest()[:16]


def read_json(path: str | Path) -> dict[str, Any]:
    """A run's JSON file as a dict, or {} when it is missing, half written or not an object."""
    try:
        value = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
