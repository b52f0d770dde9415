"""Mode coverage of a 2-D preset over several seeds, by the PacGAN protocol (Lin et al. 2018).

    python -m bench.modes2d [--preset ring8] [--seeds 5] [--set key=value ...]

Each seed trains the preset from scratch (wall-clock timed, the report and pictures included),
then scores the first 2500 samples of its generator: modes captured, high-quality fraction
(within 3σ of the nearest mode), reverse KL of the mode histogram to uniform, and spread.
Prints a Markdown table with mean ± standard error and writes bench/out/<preset>-modes.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
import statistics
import time
from pathlib import Path

import torch

import gankit
from gankit.data.toy2d import mixture_centres, mixture_std
from gankit.metrics.modes import mode_coverage


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error of the mean."""
    m = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return m, se


def run_seed(preset: str, seed: int, overrides: list[str], out: Path) -> dict:
    """Train one seed and score 2500 samples."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(preset, out=out, overrides=[f"seed={seed}", "log.progress=false", "log.tensorboard=false", *overrides])
    seconds = time.perf_counter() - t
    name = run.config.data.name
    cov = mode_coverage(run.sample(2500, seed=0), mixture_centres(name), mixture_std(name))
    return {"seed": seed, "seconds": seconds, **cov.as_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="ring8")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    rows = []
    for seed in range(args.seeds):
        r = run_seed(args.preset, seed, args.overrides, args.out / f"{args.preset}-seed{seed}")
        rows.append(r)
        print(f"seed {seed}: {r['modes']}/{r['n_modes']} modes, HQ {100 * r['hq_fraction']:.1f}%, "
              f"KL {r['reverse_kl']:.4f}, spread {r['spread']:.3f}, {r['seconds']:.1f} s", flush=True)
    summary = {k: mean_se([r[k] for r in rows]) for k in ("modes", "hq_fraction", "reverse_kl", "spread", "seconds")}
    meta = {"preset": args.preset, "overrides": args.overrides, "threads": torch.get_num_threads(),
            "machine": platform.machine(), "torch": torch.__version__, "date": time.strftime("%Y-%m-%d")}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.preset}-modes.json").write_text(json.dumps({"meta": meta, "seeds": rows, "summary": summary}, indent=2))
    print(f"\n| preset | seeds | modes | HQ % | reverse KL | spread | s/seed | worst seed modes | worst HQ % |")
    print("|---|---|---|---|---|---|---|---|---|")
    m, h, k, s, t = (summary[x] for x in ("modes", "hq_fraction", "reverse_kl", "spread", "seconds"))
    print(f"| {args.preset} | {len(rows)} | {m[0]:.2f} ± {m[1]:.2f} | {100 * h[0]:.1f} ± {100 * h[1]:.1f} | "
          f"{k[0]:.4f} ± {k[1]:.4f} | {s[0]:.3f} ± {s[1]:.3f} | {t[0]:.0f} | {min(r['modes'] for r in rows)} | "
          f"{100 * min(r['hq_fraction'] for r in rows):.1f} |")


if __name__ == "__main__":
    main()
