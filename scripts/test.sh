#!/usr/bin/env bash
# The test command (`make test`): real services, static checks, then every test folder.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
start=$(date +%s)
ensure_postgres
ensure_chromium
bash scripts/lint.sh
echo "== pytest"
.venv/bin/python -m pytest tests/unit tests/integration tests/browser tests/notebooks "$@"
echo "make test took $(( $(date +%s) - start )) s"
