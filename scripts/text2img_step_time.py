"""Time the text-to-image game's steps: D's and G's, in ms, over 100 game steps resumed from a run's checkpoint.

    python scripts/text2img_step_time.py RUN [--set text.reuse_fakes=true --set text.gp_every=8 ...]

Copies RUN (a shapes-dfgan run past its encoders' stage) to a scratch folder, applies the overrides, plays
120 game steps from its latest checkpoint and reports the mean wall time of each phase over the last 100
(the first 20 warm up). Run it alone on the machine: a second job on the cores changes every figure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

import gankit
from gankit.config.io import read_config, resolve_config, save_config
from gankit.games.text2img.game import TextGame

WARM_UP, TIMED = 20, 100


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="KEY=VALUE of the game")
    args = ap.parse_args()
    run = Path(tempfile.mkdtemp(prefix="t2i-time-")) / "run"
    shutil.copytree(args.run, run, ignore=shutil.ignore_patterns("train.lock"))
    start = json.loads((run / "checkpoints" / "latest.json").read_text())["step"]
    extra = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.overrides)}
    save_config(resolve_config(read_config(run / "config.json"), {
        "train.steps": start + WARM_UP + TIMED, "train.budget_minutes": None, "log.sample_every": 10**6,
        "log.checkpoint_every": 10**6, "log.progress": False, **extra}), run / "config.json")
    spent: dict[str, list[float]] = defaultdict(list)
    for name in ("d_step", "g_step"):
        phase = getattr(TextGame, name)

        def timed(self, log, phase=phase, name=name):
            t = time.perf_counter()
            out = phase(self, log)
            if self.state.step >= start + WARM_UP:
                spent[name].append(time.perf_counter() - t)
            return out
        setattr(TextGame, name, timed)
    gankit.train(resume=run)
    for name, times in spent.items():
        print(f"{name}: {1000 * sum(times) / len(times):.1f} ms (mean of {len(times)})")
    print(f"game step: {1000 * sum(sum(t) / len(t) for t in spent.values()):.1f} ms")
    shutil.rmtree(run.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
