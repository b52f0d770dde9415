"""SeqGAN against its own MLE-pretrained generator over several seeds: the music figures of docs/benchmarks.md.

    python -m bench.music [--preset chorales-seqgan] [--seeds 0,1,2] [--out DIR] [--set KEY=VALUE ...]

For each seed: train the preset from scratch (wall time on this machine: MLE pretraining, D
pretraining and the adversarial stage together), then `gankit eval` the run. Every system writes
as many sequences as the test set has windows, scored against the held-out test pieces: BLEU-2/3/4
and the musical-statistics distance (lower is better), with the validation NLL. Prints one markdown
row per seed and system, then whether the adversarial G beat the MLE G on each seed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import gankit
from gankit.evaluation import write_card
from gankit.evaluation.music import SYSTEMS, evaluate_music

COLUMNS = ("bleu2", "bleu3", "bleu4", "dist_summary", "val_nll")


def train_and_score(preset: str, seed: int, out: Path, overrides: list[str]) -> tuple[dict, float]:
    """Train one seed and return its metric card and the training wall time in seconds."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(preset, out=out, overrides=["log.progress=false", f"seed={seed}", *overrides])
    wall = time.perf_counter() - t
    card = evaluate_music(gankit.load_run(run.path), seed=0)
    write_card(card, run.path / "metric_card.json")
    return card, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="chorales-seqgan")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    root = args.out or Path("bench/out") / args.preset
    seeds = [int(s) for s in args.seeds.split(",")]
    print("| seed | system | train s | " + " | ".join(COLUMNS) + " |\n|---|---|---|" + "---|" * len(COLUMNS))
    wins = {}
    for seed in seeds:
        card, wall = train_and_score(args.preset, seed, root / f"seed{seed}", args.overrides)
        m = card["metrics"]
        for name in m:
            cells = " | ".join(f"{m[name][c]:.4f}" if c in m[name] else "–" for c in COLUMNS)
            print(f"| {seed} | {SYSTEMS[name]} | {wall:.0f} | {cells} |", flush=True)
        adv, mle = m["adversarial"], m.get("pretrained")
        if mle:
            wins[seed] = {"bleu4": adv["bleu4"] > mle["bleu4"], "statistics": adv["dist_summary"] < mle["dist_summary"]}
    print("\nadversarial G better than its MLE G (BLEU-4 higher, statistics distance lower):")
    for seed, w in wins.items():
        print(f"  seed {seed}: BLEU-4 {'yes' if w['bleu4'] else 'no'}, statistics {'yes' if w['statistics'] else 'no'}")
    (root / "summary.json").write_text(json.dumps(wins, indent=1))


if __name__ == "__main__":
    main()
