#!/usr/bin/env bash
# Generate the synthetic ML-25M- and ML-32M-shaped releases and run the scale benchmark.
# Usage: benchmarks/scale_bench.sh [CATALOG_DIR] [WORK_DIR]
# Needs the bench extra (scikit-learn, faiss-cpu); takes ~15 minutes on 2 cores, ~8 GiB peak.
set -euo pipefail
cd "$(dirname "$0")/.."
catalog="${1:-../shared/data/ml-25m-catalog}"
work="${2:-/tmp/reelgraph-scale}"
bin=".venv/bin"
mkdir -p "$work"

[ -f "$work/ml25m/ratings.csv" ] || "$bin/reelgraph" synth --catalog "$catalog" --out "$work/ml25m"
"$bin/reelgraph" bench --data "$work/ml25m" --k 50 --approx-dims 128 \
    --json-out "$work/bench-ml25m.json" --workdir "$work/bench"

[ -f "$work/ml32m/ratings.csv" ] || "$bin/reelgraph" synth --catalog "$catalog" \
    --out "$work/ml32m" --shape ml-32m
"$bin/reelgraph" bench --data "$work/ml32m" --k 50 --sizes "" --no-faiss \
    --json-out "$work/bench-ml32m.json" --workdir "$work/bench"
