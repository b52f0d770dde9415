"""Run folders: where a run's config, data facts, weights, logs and pictures live."""

from __future__ import annotations

from pathlib import Path

CONFIG = "config.json"
DATA_INFO = "data.json"
CHECKPOINTS = "checkpoints"
SNAPSHOTS = "snapshots"  # sample.mixture: the generator snapshots the mixture sampler draws from
METRICS = "metrics.csv"
SAMPLES = "samples"
PLOTS = "plots"
TENSORBOARD = "tb"
BALANCE_LOG = "balance.jsonl"


def new_run_dir(out: str | Path) -> Path:
    """Create and return `out`, or `out-2`, `out-3`, ... when it already holds files: never overwrite a run."""
    out = Path(out)
    candidate, i = out, 1
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        i += 1
        candidate = out.with_name(f"{out.name}-{i}")
    candidate.mkdir(parents=True, exist_ok=True)
    return candidate
