#!/usr/bin/env bash
# Set up (if needed), lint, and run the test suite (real Prefect server, local Ray, PostgreSQL, moto S3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
