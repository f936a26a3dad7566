"""What a request may carry and how requests are counted: the server's side, without torch.

The HTTP server checks every request against the model's declaration before a worker sees it, and
never imports torch itself, so it starts fast and stays small.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from sskai.bundles.spec import ModelSpec
from sskai.bundles.validation import check_inputs
from sskai.errors import BundleError

MAX_BATCH = 1024


def check_request(inputs: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """The batch a request asks for, checked against the declaration and the batch limit (BundleError if not)."""
    batch = check_inputs(inputs, spec)
    if len(batch) > MAX_BATCH:
        raise BundleError(f"batch of {len(batch)} is over the limit of {MAX_BATCH}")
    return batch


COUNTERS = ("requests", "errors", "timeouts", "busy_seconds")


class RequestCounters(BaseModel):
    """What an endpoint counted since it was deployed (kept across its restarts), and its recent latency.

    ``/metrics`` answers with it, the metering and the dashboard read it.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    busy_seconds: float = 0.0
    uptime_seconds: float | None = None
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None


def read_counters(path: Path) -> RequestCounters:
    """The counters an endpoint left in ``path`` (zeros when there are none or they are unreadable)."""
    try:
        stored = json.loads(path.read_text())
        return RequestCounters(**{name: float(stored.get(name, 0)) for name in COUNTERS})
    except (OSError, ValueError, TypeError, AttributeError):
        return RequestCounters()


class RequestMetrics:
    """Counts and recent latencies; thread-safe because the HTTP server runs handlers in a pool.

    With ``persist_to`` the counters are written there after every request and taken up again by
    the next server in the same folder, so a restarted endpoint's metering neither loses the
    requests served before it died nor counts them twice.
    """

    def __init__(self, window: int = 2048, persist_to: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.started_at = time.time()
        self.persist_to = persist_to
        earlier = read_counters(persist_to) if persist_to else RequestCounters()
        self.requests, self.errors, self.timeouts = earlier.requests, earlier.errors, earlier.timeouts
        self.busy_seconds = earlier.busy_seconds
        self._latencies: deque[float] = deque(maxlen=window)

    def observe(self, seconds: float, ok: bool, timed_out: bool = False, model_seconds: float | None = None) -> None:
        """One request that took ``seconds`` end to end; ``model_seconds`` of it the model ran (default: all).

        ``busy_seconds`` adds up the model's seconds only: a request waiting in the queue costs a
        serverless function nothing, so the metering does not bill it.
        """
        with self._lock:
            self.requests += 1
            self.errors += 0 if ok else 1
            self.timeouts += 1 if timed_out else 0
            self.busy_seconds += seconds if model_seconds is None else model_seconds
            self._latencies.append(seconds * 1000.0)
            if self.persist_to is not None:
                self._persist()

    def _persist(self) -> None:
        """Write the counters atomically (a reader never sees half a file)."""
        counters = {name: getattr(self, name) for name in COUNTERS}
        partial = self.persist_to.with_suffix(".partial")
        partial.write_text(json.dumps(counters))
        os.replace(partial, self.persist_to)

    def snapshot(self) -> RequestCounters:
        with self._lock:
            latencies = sorted(self._latencies)
            return RequestCounters(
                requests=self.requests,
                errors=self.errors,
                timeouts=self.timeouts,
                busy_seconds=self.busy_seconds,
                uptime_seconds=time.time() - self.started_at,
                latency_ms_p50=float(np.percentile(latencies, 50)) if latencies else None,
                latency_ms_p95=float(np.percentile(latencies, 95)) if latencies else None,
            )
