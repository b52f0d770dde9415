#!/usr/bin/env bash
# Every GPU figure of issue 23 in one prepared run of under 9 minutes on one GPU, each part in its own file.
#
#   bash bench/gpu_session.sh [FASHION_DCGAN_RUN]      (OUT=folder for the results, default bench/out/gpu)
#
# Parts, cheapest and surest first, each under its own timeout; the lever table takes what time is left
# and skips the rows that would not finish (GPU_SECONDS, default 540, is the whole script's allowance):
#   check.txt    bench.gpu_check: DDP over NCCL (one rank), CUDA training in fp32/bf16/fp16 and resume, `gankit
#                sample`/`eval --device cuda` against the CPU (ring8's quality check, 70 s, passed on
#                2026-12-04 and is left to `python -m bench.gpu_check`)
#   sample.txt   bench.gpu_sample: sampling img/s at batches 256-4096, fp32 and bf16
#   profile.txt  bench.profile_stylegan2 at 64 and 128 px: the recipe (batch 32, bf16)
#   levers.txt   bench.gpu_levers: each lever alone and together, img/s at 128 px
set -u
OUT=${OUT:-bench/out/gpu}
mkdir -p "$OUT"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
END=$(( $(date +%s) + ${GPU_SECONDS:-540} ))
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$OUT/device.txt" 2>&1
timeout 150 $PY -m bench.gpu_check --steps 300 --checks ddp,precisions,cli > "$OUT/check.txt" 2>&1
timeout 90 $PY -m bench.gpu_sample ${1:+--run "$1"} > "$OUT/sample.txt" 2>&1
# the profiler's own tables take a minute to build at this size: generous timeouts
timeout 200 $PY -m bench.profile_stylegan2 --sizes 64,128 --steps 8 > "$OUT/profile.txt" 2>&1
# the order of the rows: the recipe, each lever added in turn, compile, CUDA graphs, the rest
timeout $(( END - $(date +%s) + 30 )) $PY -m bench.gpu_levers --end "$END" --only 1,2,4,6,8,10,9,5,3,7 \
    > "$OUT/levers.txt" 2>&1
tail -n 20 "$OUT"/*.txt
