"""What a request may carry and how requests are counted: the server's side, without torch.

The HTTP server checks every request against the model's declaration before a worker sees it, and
never imports torch itself, so it starts fast and stays small.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

import numpy as np

from sskai.bundles import ModelSpec, check_inputs
from sskai.errors import BundleError

MAX_BATCH = 1024


def check_request(inputs: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """The batch a request asks for, checked against the declaration and the batch limit (BundleError if not)."""
    batch = check_inputs(inputs, spec)
    if len(batch) > MAX_BATCH:
        raise BundleError(f"batch of {len(batch)} is over the limit of {MAX_BATCH}")
    return batch


class RequestMetrics:
    """Counts and recent latencies; thread-safe because the HTTP server runs handlers in a pool."""

    def __init__(self, window: int = 2048) -> None:
        self._lock = threading.Lock()
        self.started_at = time.time()
        self.requests = 0
        self.errors = 0
        self.timeouts = 0
        self.busy_seconds = 0.0
        self._latencies: deque[float] = deque(maxlen=window)

    def observe(self, seconds: float, ok: bool, timed_out: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.errors += 0 if ok else 1
            self.timeouts += 1 if timed_out else 0
            self.busy_seconds += seconds
            self._latencies.append(seconds * 1000.0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            latencies = sorted(self._latencies)
            return {
                "requests": self.requests,
                "errors": self.errors,
                "timeouts": self.timeouts,
                "busy_seconds": self.busy_seconds,
                "uptime_seconds": time.time() - self.started_at,
                "latency_ms_p50": float(np.percentile(latencies, 50)) if latencies else None,
                "latency_ms_p95": float(np.percentile(latencies, 95)) if latencies else None,
            }
