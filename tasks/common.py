"""What every task shares: the stores, and the rule for which failures are worth a retry."""

from __future__ import annotations

from typing import Any

from sskai.errors import ClusterLost, SskaiError
from sskai.store.stores import Stores, open_stores


def stores() -> Stores:
    return open_stores()


def retry_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry infrastructure trouble (I/O, a lost cluster); never a rejected upload or a bug in user code."""
    try:
        state.result(raise_on_failure=True)
    except ClusterLost:
        return True
    except SskaiError:
        return False
    except Exception:  # network, disk, database: worth another try
        return True
    return False
