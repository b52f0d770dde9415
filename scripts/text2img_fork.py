"""A/B of the text-to-image game on one stage 1: fork a run at the end of its encoders' stage, change the game, play on.

    python scripts/text2img_fork.py STAGE1_RUN OUT --steps 1000 [--set text.redescribe=1.0 ...]
    python -m bench.text2img --eval-only --out OUT

Copies STAGE1_RUN's checkpoint at step text.pretrain (the encoders and the redescriber trained, no
game step played yet) into a new run folder OUT, applies the overrides to its config, and trains
`--steps` game steps from there. Two forks of one stage-1 run differ only in what the overrides
change, which a comparison of two whole runs cannot promise (stage 1 costs 2500 steps and its
encoders differ from seed to seed). Only the game's options may change: a fork that would change
the data, the encoders or the networks' shapes is refused, as a resume would refuse it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

import gankit
from gankit.config.io import read_config, resolve_config, save_config
from gankit.utils import run_dir as rd
from gankit.utils.atomic import write_json_atomic

GAME_KEYS = ("text.mismatch", "text.ma_gp", "text.ma_gp_p", "text.gp_every", "text.redescribe", "text.noise",
             "text.retrieve", "text.reuse_fakes", "loss.", "train.lr_g", "train.lr_d", "train.beta1", "train.beta2",
             "train.ema_", "train.channels_last", "train.precision", "log.")


def fork(stage1: Path, out: Path, steps: int, overrides: dict) -> Path:
    """OUT: a copy of stage1's run folder at step text.pretrain, with the overrides in its config."""
    bad = [k for k in overrides if not any(k == g or (g.endswith((".", "_")) and k.startswith(g)) for g in GAME_KEYS)]
    if bad:
        sys.exit(f"text2img_fork: {', '.join(bad)} would change stage 1 or the networks; only these may change: "
                 f"{', '.join(GAME_KEYS)}")
    saved = read_config(stage1 / "config.json")
    start = saved.text.pretrain
    checkpoint = stage1 / "checkpoints" / f"step_{start:07d}"
    if not checkpoint.is_dir():
        sys.exit(f"text2img_fork: {stage1} has no checkpoint at step {start} (text.pretrain); train it with "
                 f"log.checkpoint_every dividing {start}")
    if overrides.get("text.redescribe", saved.text.redescribe) == 0 and saved.text.redescribe > 0:
        sys.exit("text2img_fork: the redescriber was trained in stage 1; set text.redescribe > 0 (it weighs G's loss)")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(stage1, out, ignore=shutil.ignore_patterns("checkpoints", "train.lock", rd.RUN_ID))
    rd.new_run_id(out)  # a new run: its images must not name stage 1's
    shutil.copytree(checkpoint, out / "checkpoints" / checkpoint.name)
    write_json_atomic(out / "checkpoints" / "latest.json", {"step": start, "dir": checkpoint.name})
    save_config(resolve_config(saved, {**overrides, "train.steps": start + steps}), out / "config.json")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage1", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--steps", type=int, required=True, help="game steps to play after the fork")
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="KEY=VALUE of the game")
    args = ap.parse_args()
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.overrides)}  # YAML-typed, as --set
    run = gankit.train(resume=fork(args.stage1, args.out, args.steps, overrides))
    print(f"{run.path}: step {run.step}; score it with python -m bench.text2img --eval-only --out {run.path}")


if __name__ == "__main__":
    main()
