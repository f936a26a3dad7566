#!/usr/bin/env bash
# Install sskai and everything it needs into .venv. Idempotent: a second run with the same pins is instant.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "sskai needs Python 3.11 or newer"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.sskai-installed
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing sskai into .venv (pinned by constraints.txt; a few minutes the first time)"
  .venv/bin/python -m pip install -q --upgrade pip
  # torch first, pinned: a bare 'torch' pulled in by another package would fetch a multi-GB CUDA build.
  .venv/bin/python -m pip install -q torch==2.13.0
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi
