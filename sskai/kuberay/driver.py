"""The RayJob's entrypoint on the head: run one stored training on the Ray cluster it is in.

``python -m sskai.kuberay.driver TRAINING_ID``. The head joins its own cluster (``RAY_ADDRESS``,
which the RayJob's submitter sets), so the training runs as ``sskai train`` runs it locally: one
attempt, claimed, metered, its checkpoints on S3; a rerun of the RayJob resumes from the newest.
"""

from __future__ import annotations

import sys

from sskai.catalog import load_catalog
from sskai.store.stores import open_stores
from sskai.training.service import run_stored_training


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m sskai.kuberay.driver TRAINING_ID", file=sys.stderr)
        return 2
    record = run_stored_training(open_stores(), args[0], load_catalog())
    print(f"training {record.id}: {record.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
