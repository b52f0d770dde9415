#!/usr/bin/env bash
# Fingerprints of every *-tiny preset: trains each, samples 64 with seed 0 (a SeqGAN run: 64 token sequences) (`gankit sample RUN --n 64 --seed 0
# --out X.npy`) and prints the sha256 of the samples and of metrics.csv without its time column. Training is
# deterministic on a CPU, so a refactor that changes no numbers prints the same lines before and after:
#   bash scripts/sample_hashes.sh > before.txt; (change); bash scripts/sample_hashes.sh > after.txt; diff before.txt after.txt
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" - "$work/folder" <<'PY'
import sys
from pathlib import Path

import numpy as np
from PIL import Image

folder = Path(sys.argv[1]); folder.mkdir(parents=True)
rng = np.random.default_rng(0)
for i in range(40):
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).save(folder / f"{i}.png")
domains = folder.parent / "domains"  # trainA/trainB/testA/testB with matching names: unpaired and paired at once
for sub in ("trainA", "trainB", "testA", "testB"):
    (domains / sub).mkdir(parents=True)
    for i in range(12):
        Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).save(domains / sub / f"{i}.png")
PY
for preset in $(ls src/gankit/config/presets | grep -- '-tiny.yaml$' | sed 's/.yaml$//'); do
  extra=()
  case $preset in
    folder-cyclegan-*|folder-pix2pix-*) extra=(--set "data.path=$work/domains");;
    folder-*) extra=(--set "data.path=$work/folder");;
  esac
  "$PY" -m gankit train "$preset" --out "$work/$preset" --set log.progress=false "${extra[@]}" > /dev/null 2>&1
  case $preset in
    *cyclegan*|*pix2pix*)  # a translation run has no noise to sample: it translates a fixed array instead
      "$PY" -c "import numpy as np; np.save('$work/in.npy', (np.arange(4*32*32) % 251).astype('uint8').reshape(4, 32, 32))"
      "$PY" -m gankit translate "$work/$preset" --input "$work/in.npy" --out "$work/$preset.npy" > /dev/null;;
    *seqgan*)  # a music run writes token sequences: fingerprint the ids of 64 of them
      "$PY" -c "import gankit, numpy as np; from gankit.composer import Composer; np.save('$work/$preset.npy', Composer(gankit.load_run('$work/$preset')).sample_ids(64, seed=0).numpy())";;
    *) "$PY" -m gankit sample "$work/$preset" --n 64 --seed 0 --out "$work/$preset.npy" > /dev/null;;
  esac
  samples=$(sha256sum "$work/$preset.npy" | cut -c1-16)
  metrics=$(cut -d, -f"$(head -1 "$work/$preset/metrics.csv" | tr ',' '\n' | grep -vn '^time$' | cut -d: -f1 | paste -sd,)" \
            "$work/$preset/metrics.csv" | sha256sum | cut -c1-16)
  echo "$preset samples $samples metrics $metrics"
done
