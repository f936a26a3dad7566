"""What every task shares: the settings and stores, and the rule for which failures are worth a retry."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from sskai.errors import SskaiError
from sskai.settings import Settings
from sskai.store.stores import Stores, open_stores


@cache
def _from_block(name: str, base: Settings) -> Settings:
    """The block's settings; its AWS credentials become this process's AWS environment (read once)."""
    from blocks.settings import SskaiSettings

    block = SskaiSettings.load(name)
    os.environ.update(block.aws_environment())
    return block.applied_to(base)


def settings() -> Settings:
    """The environment's settings, with the store URLs of a ``SskaiSettings`` block when one is named.

    A worker on another machine sets only ``SSKAI_SETTINGS_BLOCK`` and agrees with the UI on where
    records and artifacts live.
    """
    base = Settings()
    return _from_block(base.settings_block, base) if base.settings_block else base


def stores() -> Stores:
    return open_stores(settings())


def retry_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry infrastructure trouble (I/O, a lost cluster); never a rejected upload or a bug in user code."""
    try:
        state.result(raise_on_failure=True)
    except SskaiError as exc:
        return exc.retryable
    except Exception:  # network, disk, database: worth another try
        return True
    return False


# Store lookups: a database blip is worth two more tries; a missing record is not.
LOOKUP_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": 2, "retry_condition_fn": retry_transient}
