#!/usr/bin/env bash
# `make bench`: runs every benchmark script; each prints its figures and ratios against baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in benchmarks/*.py; do
    [ "$script" = benchmarks/faults.py ] && continue
    echo "== $script"
    .venv/bin/python "$script"
done
echo "== benchmarks/faults.py (kill -9, database hang, key flood; at most 20 minutes)"
timeout 1200 .venv/bin/python benchmarks/faults.py --budget-s 900
