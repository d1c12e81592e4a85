#!/usr/bin/env bash
# `make bench`: runs every benchmark script; each prints its figures and ratios against baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in benchmarks/*.py; do
    echo "== $script"
    .venv/bin/python "$script"
done
