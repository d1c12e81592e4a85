#!/usr/bin/env bash
# Static checks: ruff (style and naive-datetime rules), mypy on the package, import-linter layers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== ruff"
$BIN/ruff check orderflow_lib tests benchmarks scripts
echo "== mypy"
$BIN/mypy
echo "== import-linter"
$BIN/lint-imports
