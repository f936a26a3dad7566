#!/usr/bin/env bash
# Set up (if needed) and run the whole pipeline on a shipped example, on this machine, with no cloud account.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false
exec .venv/bin/sskai demo "$@"
