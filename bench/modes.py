"""The mode-collapse benchmark: PacGAN's 2-D protocol (Lin et al. 2018, Table 1) for gankit's presets and objectives.

    python -m bench.modes [--seeds 10] [--first-seed 0] [--jobs 2] [--only ring8,grid25] [--objectives all|none|a,b]

For each variant and seed, a run trains from scratch (one CPU thread per job, the wall-clock time
recorded), then the run's sampler draws 2500 samples which are scored (for a preset that sets
sample.reject, D keeps only samples it scores as real as all but that fraction of the data; for
one that sets sample.jacobian_reject, the latents where G stretches most are turned away; for one
that sets sample.mixture, each sample comes from one of G's snapshots over the end of training;
each of these parts is also taken away in turn, and both rejections together, and scored as its
own row): modes captured (a mode counts when at least
one high-quality sample is nearest to it), high-quality % (within 3σ of the nearest mode), reverse
KL of the mode histogram to uniform, spread (RMS distance of a mode's high-quality samples over
√2σ; ≈ 0.97 for an exact sampler), width (the same from each mode's own mean: the spread with the
modes' offsets taken out, so narrow modes set off-centre cannot pass for wide ones) and, per seed, the
weakest mode's share. The table gives mean ± standard
error over seeds, beside PacGAN's published rows. JSON with every seed goes to bench/out/modes.json.

Variants: the recommended presets `ring8` and `grid25`, and, for every objective, the
`*-basic` preset (same network and budget, no regulariser, no packing) with only loss.objective
changed: the objectives on equal terms.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

PACGAN_ROWS = [  # Lin et al. 2018, Table 1: (method, ring modes, ring HQ %, grid modes, grid HQ %)
    ("GAN", 6.3, 98.2, 17.3, 94.8),
    ("PacGAN2", 7.9, 95.6, 23.8, 91.3),
    ("PacGAN4", 7.8, 95.9, 24.8, 93.6),
    ("ALI", 6.6, 97.6, 24.1, 95.7),
]


def one_run(preset: str, overrides: tuple[str, ...], seed: int, out: str) -> dict:
    """Train one seed in this (worker) process and score 2500 samples."""
    import shutil

    import torch

    torch.set_num_threads(1)
    import gankit
    from gankit.data.toy2d import mixture_centres, mixture_std
    from gankit.metrics.modes import mode_coverage

    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    run = gankit.train(preset, out=out, overrides=[f"seed={seed}", "log.progress=false", "log.tensorboard=false",
                                                   "log.report=none", *overrides])
    seconds = time.perf_counter() - t
    name = run.config.data.name
    def score(reject: float | None = None, mixture: bool | None = None, jacobian: float | None = None) -> dict:
        x = run.sample(2500, seed=0, reject=reject, mixture=mixture, jacobian_reject=jacobian)
        return {"seconds": seconds, **mode_coverage(x, mixture_centres(name), mixture_std(name)).as_dict()}

    result = {**score(), "others": {}}
    # the parts of the preset's sampler taken away one at a time, for the table's honesty
    if run.config.sample.reject:
        result["others"][NO_REJECTION] = score(reject=0.0)
    if run.config.sample.jacobian_reject:
        result["others"][NO_JACOBIAN] = score(jacobian=0.0)
    if run.config.sample.reject and run.config.sample.jacobian_reject:
        result["others"][NO_REJECTIONS] = score(reject=0.0, jacobian=0.0)
    if run.config.sample.mixture:
        result["others"][FINAL_G] = score(mixture=False)
    shutil.rmtree(out, ignore_errors=True)
    return result


SCORES = ("modes", "hq_fraction", "reverse_kl", "spread", "width", "seconds")  # averaged over seeds, in table order
NO_REJECTION = "without D's rejection"
NO_JACOBIAN = "without the Jacobian rule"
NO_REJECTIONS = "without either rejection (the snapshot mixture alone)"
FINAL_G = "without the snapshot mixture (the final G)"


def exit_with_parent() -> None:
    """Worker initializer: end this worker when the benchmark that started it is gone (killed or interrupted).

    A pool worker busy with a training run would otherwise go on to the end of it, and a stray run
    slows every later measurement on a 2-core machine.
    """
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(2)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error of the mean."""
    m = statistics.fmean(values)
    return m, (statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0)


def variants(only: list[str], objectives: list[str]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(label, dataset, preset, overrides) for every row of the table."""
    out = []
    for data in only:
        out.append((f"gankit {data} (recommended)", data, data, ()))
        out += [(f"{obj} (basic)", data, f"{data}-basic", (f"loss.objective={obj}",)) for obj in objectives]
    return out


def main() -> None:
    from gankit.losses.adversarial import objective_names

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds run from this one (a check beyond the protocol's 0-9)")
    ap.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    ap.add_argument("--only", default="ring8,grid25", help="datasets: ring8, grid25 or both")
    ap.add_argument("--objectives", default="all", help="'all', 'none', or a comma list for the *-basic rows")
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="extra override for every run")
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    objs = objective_names() if args.objectives == "all" else [] if args.objectives == "none" else args.objectives.split(",")
    rows = variants(args.only.split(","), objs)
    jobs = [(label, data, preset, tuple(over) + tuple(args.overrides), seed)
            for label, data, preset, over in rows for seed in range(args.first_seed, args.first_seed + args.seeds)]
    results: dict[tuple[str, str], list[dict]] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn"), initializer=exit_with_parent) as pool:
        futures = {pool.submit(one_run, preset, over, seed, str(args.out / "runs" / f"{i}")): (label, data, seed)
                   for i, (label, data, preset, over, seed) in enumerate(jobs)}
        for fut, (label, data, seed) in futures.items():
            r = {"seed": seed, **fut.result()}
            others = r.pop("others")
            if others:
                label = f"{label}: as sampled by the preset"
            results.setdefault((label, data), []).append(r)
            for part, scores in others.items():
                results.setdefault((f"{label.split(':')[0]}: {part}", data), []).append({"seed": seed, **scores})
            print(f"[{time.perf_counter() - t0:6.0f}s] {data:6s} {label:28s} seed {seed}: {r['modes']}/{r['n_modes']} "
                  f"modes, HQ {100 * r['hq_fraction']:.1f}%, KL {r['reverse_kl']:.4f}, spread {r['spread']:.3f}, "
                  f"width {r['width']:.3f}, "
                  f"weakest mode {r['weakest']:.2f}× uniform, "
                  f"{r['seconds']:.0f} s", flush=True)
    table = summarise(results)
    meta = {"seeds": args.seeds, "first_seed": args.first_seed, "jobs": args.jobs, "threads_per_job": 1, "machine": platform.machine(),
            "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"), "overrides": args.overrides}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "modes.json").write_text(json.dumps(
        {"meta": meta, "runs": {f"{d}|{lab}": rs for (lab, d), rs in results.items()}, "table": table}, indent=2))
    print(render(table, args.seeds))


def summarise(results: dict[tuple[str, str], list[dict]]) -> list[dict]:
    """Mean ± s.e. per (variant, dataset), with the worst seed."""
    table = []
    for (label, data), rs in results.items():
        row = {"variant": label, "data": data, "seeds": len(rs)}
        for k in SCORES:
            vals = [r[k] for r in rs if math.isfinite(r[k])]
            row[k] = mean_se(vals) if vals else (float("inf"), 0.0)
        row["min_modes"] = min(r["modes"] for r in rs)
        row["min_hq"] = min(r["hq_fraction"] for r in rs)
        row["max_kl"] = max(r["reverse_kl"] for r in rs)
        table.append(row)
    return table


def render(table: list[dict], seeds: int) -> str:
    """Markdown: gankit's rows per dataset, then PacGAN's published rows."""
    lines = []
    for data in sorted({r["data"] for r in table}, key=lambda d: d != "ring8"):
        lines += [f"\n### {data}: mean ± s.e. over {seeds} seeds, 2500 samples each\n",
                  "| variant | modes | HQ % | reverse KL | spread | width | worst seed: modes / HQ % | s per seed |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in (r for r in table if r["data"] == data):
            m, h, k, s, w, t = (r[x] for x in SCORES)
            lines.append(f"| {r['variant']} | {m[0]:.2f} ± {m[1]:.2f} | {100 * h[0]:.1f} ± {100 * h[1]:.1f} | "
                         f"{k[0]:.4f} ± {k[1]:.4f} | {s[0]:.3f} ± {s[1]:.3f} | {w[0]:.3f} ± {w[1]:.3f} | "
                         f"{r['min_modes']} / {100 * r['min_hq']:.1f} | {t[0]:.0f} |")
    lines += ["\n### PacGAN, Table 1 (Lin et al. 2018)\n", "| method | ring modes | ring HQ % | grid modes | grid HQ % |",
              "|---|---|---|---|---|"]
    lines += [f"| {m} | {a} | {b} | {c} | {d} |" for m, a, b, c, d in PACGAN_ROWS]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
