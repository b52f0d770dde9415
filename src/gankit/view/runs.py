"""The run list of `gankit view`: which folders under a root are runs, and what state each is in (read only)."""

from __future__ import annotations

import os
import socket
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gankit.training.callbacks import read_metrics
from gankit.training.run_lock import LOCK
from gankit.utils import run_dir as rd
from gankit.utils.run_dir import read_json

# how training ended (the Trainer's word, in status.json) -> what the run list says
ENDED = {"done": "finished", "budget": "stopped", "interrupted": "stopped", "diverged": "diverged", "failed": "failed"}
MAX_DEPTH = 4  # run folders are looked for this deep under the root (runs/, runs/group/, ...)


@dataclass
class RunSummary:
    """One line of the run list."""

    id: str  # the folder relative to the root ('.' when the root is itself a run)
    name: str
    game: str
    kind: str
    steps_done: int
    steps_total: int
    status: str  # training | finished | stopped | diverged | failed | empty
    acc: float | None
    best: dict[str, Any] | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def is_run(folder: Path) -> bool:
    """Whether a folder looks like a gankit run (a config, or the logs a trainer writes first)."""
    return any((folder / name).exists() for name in (rd.CONFIG, rd.METRICS, rd.CHECKPOINTS))


def folders_under(root: Path, match: Callable[[Path], bool], depth: int = MAX_DEPTH) -> list[Path]:
    """Folders below `root` (at most `depth` deep, hidden ones skipped) that `match`, not looking inside a match."""
    found: list[Path] = []
    frontier = [root]
    for _ in range(depth):
        children = [c for f in frontier for c in _subfolders(f)]
        found += [c for c in children if match(c)]
        frontier = [c for c in children if not match(c)]
    return sorted(found)


def find_run_folders(root: Path) -> list[Path]:
    """Every run folder under `root` (the root itself when it is one), sorted by path."""
    return [root] if is_run(root) else folders_under(root, is_run)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".")]
    except OSError:
        return []


def run_key(root: Path, folder: Path) -> str:
    """A run's id in URLs: its path relative to the root."""
    return "." if folder == root else folder.relative_to(root).as_posix()


_ROWS_CACHE: OrderedDict[str, tuple[tuple[int, int, int], tuple[dict[str, float], ...]]] = OrderedDict()
_ROWS_CACHE_SIZE = 64  # runs whose parsed metrics are kept between polls


def metrics_rows(folder: Path) -> tuple[dict[str, float], ...]:
    """The whole rows of metrics.csv (() when it is missing or unreadable); a row being written is skipped.

    The file is parsed again only when it changed (inode, size or mtime): the viewer polls every run's
    metrics every few seconds, and a long run's file holds tens of thousands of rows.
    """
    path = folder / rd.METRICS
    try:
        st = path.stat()
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        key = str(path)
        if key in _ROWS_CACHE and _ROWS_CACHE[key][0] == stamp:
            _ROWS_CACHE.move_to_end(key)
            return _ROWS_CACHE[key][1]
        rows = tuple(read_metrics(path))
    except (OSError, ValueError, KeyError):
        return ()
    _ROWS_CACHE[key] = (stamp, rows)
    if len(_ROWS_CACHE) > _ROWS_CACHE_SIZE:
        _ROWS_CACHE.popitem(last=False)
    return rows


def trainer_alive(folder: Path, said: str | None) -> bool:
    """Whether a trainer holds the run now, read from train.lock's owner without taking the lock.

    Taking even a shared flock could make a resume starting at that instant refuse the run as busy:
    the viewer must not disturb training, so it reads the owner's PID and asks whether it lives.
    """
    owner = read_json(folder / LOCK)  # emptied by the trainer when it lets go
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return False
    if owner.get("host") not in (None, socket.gethostname()):
        return said == "training"  # another machine's process: trust status.json
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = process_start(pid)
    # a PID reused by a process that started after the trainer took the lock is not the trainer
    return started is None or not isinstance(owner.get("started"), (int, float)) or started <= owner["started"] + 2


def process_start(pid: int) -> float | None:
    """When a process started (seconds since the epoch), from Linux's /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def run_status(folder: Path, steps_done: int, steps_total: int) -> str:
    """training while a trainer holds the run; else how status.json says it ended."""
    said = read_json(folder / rd.STATUS).get("status")
    if trainer_alive(folder, said):
        return "training"
    if said in ENDED:
        return ENDED[said]
    if steps_done == 0:
        return "empty"
    # no status.json (a run older than it) or 'training' left by a killed process
    return "finished" if steps_total and steps_done >= steps_total else "stopped"


def best_metric(folder: Path) -> dict[str, Any] | None:
    """The best evaluation during training (checkpoints/best/best.json), else FID from metric_card.json."""
    best = read_json(folder / rd.CHECKPOINTS / "best" / "best.json")
    if "value" in best:
        return {"metric": str(best.get("metric", "?")), "value": float(best["value"]), "step": best.get("step")}
    metrics = read_json(folder / "metric_card.json").get("metrics", {})
    for name, entry in metrics.items() if isinstance(metrics, dict) else ():
        if isinstance(entry, dict) and isinstance(entry.get("value"), (int, float)):
            return {"metric": name, "value": float(entry["value"]), "step": None}
    return None


def summarise(root: Path, folder: Path) -> RunSummary:
    """A run's line in the list; a half-written folder gets one too, with its problem said."""
    config = read_json(folder / rd.CONFIG)
    info = read_json(folder / rd.DATA_INFO)
    rows = metrics_rows(folder)
    steps_done = int(rows[-1]["step"]) if rows else 0
    steps_total = int(config.get("train", {}).get("steps", 0) or 0)
    problem = None
    if not config:
        problem = f"half written: {rd.CONFIG} is missing or unreadable"
    elif not info:
        problem = f"half written: {rd.DATA_INFO} is missing (the trainer has not finished starting)"
    return RunSummary(
        id=run_key(root, folder), name=str(config.get("name") or folder.name), game=str(config.get("game", "?")),
        kind=str(info.get("kind", "?")), steps_done=steps_done, steps_total=steps_total,
        status=run_status(folder, steps_done, steps_total), acc=rows[-1].get("acc") if rows else None,
        best=best_metric(folder), problem=problem)


def list_runs(root: Path) -> list[RunSummary]:
    """The run list of a root folder; a run whose files cannot be read is listed with the reason."""
    runs = []
    for folder in find_run_folders(root):
        try:
            runs.append(summarise(root, folder))
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as e:
            runs.append(RunSummary(run_key(root, folder), folder.name, "?", "?", 0, 0, "stopped", None, None,
                                   f"unreadable: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"))
    return runs


def no_runs_message(root: Path) -> str:
    """What to say when a root holds no run."""
    if not root.exists():
        return f"{root} does not exist: give gankit view a run folder or a folder of runs."
    return (f"no gankit runs under {root} yet: train one, e.g. `gankit train ring8-tiny --out {root / 'ring8'}`;"
            " it appears here within seconds.")
