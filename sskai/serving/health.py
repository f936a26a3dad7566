"""Is an endpoint serving? Its runtime is asked, its ``/metrics`` read; one found gone is marked down.

The metering reads what this finds (the request counters, from the live endpoint or, for a dead
local one, from the folder it left); the supervisor restarts what this marks down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from sskai.kinds import LogLevel, ResourceKind, Status
from sskai.serving.process import METRICS_DIR
from sskai.serving.requests import RequestCounters, read_counters
from sskai.serving.targets import target_of
from sskai.store.metadata import Endpoint
from sskai.store.stores import Stores

LEGACY_METRICS_FILE = "metrics.json"  # what an endpoint started by sskai before Prometheus metrics left


@dataclass(frozen=True)
class EndpointHealth:
    alive: bool
    counters: RequestCounters | None  # None: nothing was counted anywhere we can read
    error: str | None = None  # why it is not alive, as far as can be told


def kept_counters(stores: Stores, endpoint: Endpoint) -> RequestCounters | None:
    """The counters a dead local endpoint left behind, so that the requests it served still reach the ledger."""
    folder = stores.settings.endpoints_dir / endpoint.id
    for kept in (folder / METRICS_DIR, folder / LEGACY_METRICS_FILE):
        if kept.exists():
            return read_counters(kept)
    return None


def check_health(stores: Stores, endpoint: Endpoint) -> EndpointHealth:
    target = target_of(endpoint)
    if not target.is_alive(endpoint):
        return EndpointHealth(False, kept_counters(stores, endpoint), "its process is gone")
    try:
        return EndpointHealth(True, target.request_counters(endpoint))
    except (httpx.HTTPError, BotoCoreError, ClientError, ValidationError, ValueError) as exc:
        return EndpointHealth(False, kept_counters(stores, endpoint), f"not answering: {type(exc).__name__}: {exc}")


def mark_down(stores: Stores, endpoint: Endpoint, health: EndpointHealth, now: datetime) -> None:
    """Failed, with when it was found gone: a supervisor (under ``sskai up``) starts it again from there."""
    stores.metadata.update(
        Endpoint,
        endpoint.id,
        status=Status.FAILED,
        status_reason=f"endpoint process is gone or not answering ({health.error})",
        down_at=now,
    )
    stores.metadata.log(
        endpoint.owner, ResourceKind.ENDPOINT, endpoint.id, f"endpoint {endpoint.name} is down", LogLevel.ERROR
    )
