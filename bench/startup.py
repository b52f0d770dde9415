"""How long does the command line take to start, and how much of that is gankit's own imports?

    python -m bench.startup [--run RUN] [--repeats 9]          (make bench-startup; about a minute)

Each row runs a command in fresh processes and reports the best and the median wall time of --repeats:
- `python -c "import torch"`: the floor of every command that touches a tensor;
- `gankit --help` and `gankit presets`, which import neither torch nor numpy;
- `gankit sample RUN --n 100` (a fashion-dcgan run: --run, else two steps of one trained into
  bench/out/sample, as bench.sample does).

For `gankit sample` it also counts the gankit modules the command imports and sums their own import
times (`python -X importtime`, so the figure carries that flag's small overhead), and lists the game
folders it loaded: a DCGAN run should load its own game only.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

from bench.sample import fashion_dcgan_run

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)")


def wall_times(argv: list[str], repeats: int) -> list[float]:
    """Wall seconds of a fresh process running argv, once per repeat."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return times


def own_imports(argv: list[str]) -> tuple[int, float, list[str]]:
    """(gankit modules imported, the sum of their own import times in s, the game folders loaded) for one run."""
    err = subprocess.run([sys.executable, "-X", "importtime", *argv], check=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr
    own = [(name, int(us)) for us, name in IMPORT_LINE.findall(err) if name.split(".")[0] == "gankit"]
    games = sorted({name.split(".")[2] for name, _ in own
                    if name.startswith("gankit.games.") and name.count(".") >= 2
                    and name.split(".")[2] not in ("base", "registry", "schedule", "stats")})
    return len(own), sum(us for _, us in own) / 1e6, games


def main() -> None:
    """Measure and print a markdown table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--run", default=None, help="a fashion-dcgan run (default: trains two steps of one)")
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    run = fashion_dcgan_run(args.run)
    out = run.parent / "startup.png"
    sample = ["-m", "gankit", "sample", str(run), "--n", "100", "--out", str(out)]
    rows = {"python -c \"import torch\"": ["-c", "import torch"], "gankit --help": ["-m", "gankit", "--help"],
            "gankit presets": ["-m", "gankit", "presets"], "gankit sample RUN --n 100": sample}
    print("| command | best s | median s |\n|---|---|---|")
    for label, argv in rows.items():
        times = wall_times([sys.executable, *argv], args.repeats)
        print(f"| {label} | {min(times):.2f} | {statistics.median(times):.2f} |")
    count, seconds, games = own_imports(sample)
    print(f"\n`gankit sample`: {count} gankit modules, {seconds:.3f} s of their own import time; "
          f"game folders loaded: {', '.join(games) or 'none'}")


if __name__ == "__main__":
    main()
