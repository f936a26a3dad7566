#!/usr/bin/env bash
# Set up (if needed), lint, and run the test suite (real Prefect server, local Ray, PostgreSQL, moto S3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The dashboard is also tested in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "chromium is missing and cannot be installed here (not root): the browser test will fail" >&2
  fi
fi
# NodePools are validated against the Karpenter CRD schemas (validators from npm, pinned by the lock file).
[ -d infra/schema/node_modules ] || npm ci --prefix infra/schema --no-audit --no-fund --silent
.venv/bin/ruff check .
# Two test processes (one per core here; SSKAI_TEST_PROCESSES to change it: a third runs three Ray
# workloads at once on two cores, which is slower, not faster). A module whose tests share one endpoint
# or one pipeline run is one xdist group, kept on one process.
exec .venv/bin/python -m pytest -n "${SSKAI_TEST_PROCESSES:-2}" --dist loadgroup "$@"
