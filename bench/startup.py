"""How long does the command line take to start, and what does `gankit sample` import?

    python -m bench.startup [--run RUN] [--repeats 9]          (make bench-startup; about a minute)

Each row runs a command in fresh processes and reports the best and the median wall time of --repeats:
- `python -c "import torch"`: the floor of every command that touches a tensor;
- `gankit --help` and `gankit presets`, which import neither torch nor numpy;
- `gankit sample RUN --n 100` (a fashion-dcgan run: --run, else two steps of one trained into
  bench/out/sample, as bench.sample does);
- the same through `gankit.cli.main.main(argv)`, as a program that calls the CLI runs it: the garbage
  collector is left alone there (the console script pauses it for the command's imports and freezes them),
  so the difference between the two rows is that pause's share.

Then it lists the gankit modules and game folders `gankit sample` loads: a DCGAN run should load its own
game's folder only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

from bench.sample import fashion_dcgan_run

AS_A_PROGRAM = "import sys; from gankit.cli.main import main; sys.exit(main(sys.argv[1:]))"
LOADED = ("import json, sys; from gankit.cli.main import main; from gankit.games.registry import imported_games; "
          "assert main(sys.argv[1:]) == 0; "
          "print(json.dumps([sorted(m for m in sys.modules if m.split('.')[0] == 'gankit'), imported_games()]))")


def wall_times(argv: list[str], repeats: int) -> list[float]:
    """Wall seconds of a fresh process running argv, once per repeat (its error shown if it fails)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t)
        if done.returncode:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return times


def loaded_modules(sample_args: list[str]) -> tuple[list[str], list[str]]:
    """(the gankit modules, the games whose folder is imported) in a fresh process after `gankit sample`."""
    out = subprocess.run([sys.executable, "-c", LOADED, *sample_args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure and print a markdown table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--run", default=None, help="a fashion-dcgan run (default: trains two steps of one)")
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    run = fashion_dcgan_run(args.run)
    with tempfile.TemporaryDirectory() as tmp:
        sample = ["sample", str(run), "--n", "100", "--out", f"{tmp}/samples.png"]
        rows = {"python -c \"import torch\"": ["-c", "import torch"], "gankit --help": ["-m", "gankit", "--help"],
                "gankit presets": ["-m", "gankit", "presets"], "gankit sample RUN --n 100": ["-m", "gankit", *sample],
                "the same through `main(argv)`, the collector left alone": ["-c", AS_A_PROGRAM, *sample]}
        print("| command | best s | median s |\n|---|---|---|")
        for label, argv in rows.items():
            times = wall_times([sys.executable, *argv], args.repeats)
            print(f"| {label} | {min(times):.2f} | {statistics.median(times):.2f} |")
        modules, games = loaded_modules(sample)
    print(f"\n`gankit sample` loads {len(modules)} gankit modules and the folders of these games: "
          f"{', '.join(games) or 'none'}")


if __name__ == "__main__":
    main()
