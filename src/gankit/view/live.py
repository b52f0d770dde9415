"""The game as it is logged: new metrics rows, the balancer's actions and the newest sample grid of a run (read only)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gankit.utils import run_dir as rd
from gankit.utils.run_dir import read_json
from gankit.view.runs import metrics_rows, run_status

GRID = re.compile(r"step_(\d+)\.(png|gif|jpg)$")


def newest_grid(folder: Path) -> tuple[Path, int] | None:
    """The newest fixed-z sample picture samples/step_N.png and its step, or None before the first."""
    best: tuple[Path, int] | None = None
    try:
        files = list((folder / rd.SAMPLES).iterdir())
    except OSError:
        return None
    for f in files:
        m = GRID.search(f.name)
        if m and (best is None or int(m.group(1)) > best[1]):
            best = (f, int(m.group(1)))
    return best


def balance_events(folder: Path) -> list[dict[str, Any]]:
    """The balancer's adjustments (balance.jsonl), each with its step, action and reason; a half-written line is skipped."""
    try:
        lines = (folder / rd.BALANCE_LOG).read_text().splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        try:
            action = f"{e.get('mode', '?')} {_short(e.get('from'))} → {_short(e.get('to'))}"
            events.append({"step": int(e.get("step", 0)), "action": action, "reason": str(e.get("reason", ""))})
        except (AttributeError, TypeError, ValueError):  # not an adjustment gankit wrote: skipped, not fatal
            continue
    return events


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def file_url(run_id: str, folder: Path, path: Path) -> str:
    """The viewer's URL of a file inside a run, versioned by its change time so browsers refetch a rewritten one."""
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    rel = path.relative_to(folder).as_posix()
    return f"/api/file?run={quote(run_id, safe='')}&path={quote(rel, safe='')}&v={version}"


def live(run_id: str, folder: Path, config: dict[str, Any], since: int, display: dict[str, Any],
         last: float | None = None) -> dict[str, Any]:
    """What changed in a run since the client's `since` rows: new rows, status, newest grid, balancer log.

    When metrics.csv has fewer rows than the client holds (a resume replays from its checkpoint and
    drops the rows after it), or its row `since` - 1 is not at the client's `last` step (dropped rows
    were logged again between two polls), `reset` tells the client to start again from the rows
    sent. While the resume rewrites the file (for an instant it is missing), nothing is sent or reset.
    """
    rows = metrics_rows(folder)
    rewriting = not rows and since > 0  # a resume rewrites metrics.csv: for an instant it is missing
    moved = last is not None and 0 < since <= len(rows) and rows[since - 1].get("step") != last
    reset = not rewriting and (since > len(rows) or since < 0 or moved)
    start = 0 if reset else since
    steps_total = int(config.get("train", {}).get("steps", 0) or 0)
    steps_done = int(rows[-1]["step"]) if rows else int(read_json(folder / rd.STATUS).get("step", 0) or 0)
    grid = newest_grid(folder)
    return {
        "rows": rows[start:],
        "total_rows": since if rewriting else len(rows),
        "columns": sorted({k for r in rows[-50:] for k in r}),
        "reset": reset,
        "status": run_status(folder, steps_done, steps_total),
        "steps_done": steps_done,
        "steps_total": steps_total,
        "grid": {"url": file_url(run_id, folder, grid[0]), "step": grid[1]} if grid else None,
        "balance": balance_events(folder),
        **display,
    }
