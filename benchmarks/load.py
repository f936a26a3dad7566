"""A bounded load on an endpoint: clients sending one request back to back until stopped, every request kept.

The fleet benchmark and the replica tests both drive endpoints with it: each request's start
(monotonic), latency and outcome, and the reason of each failure, so a test can assert that none
failed and a benchmark can cut the latencies by when a preemption happened.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Sent:
    started: float  # time.monotonic()
    latency_ms: float
    failure: str | None  # None: answered 200

    @property
    def ok(self) -> bool:
        return self.failure is None


class Load:
    """``clients`` threads posting ``body`` to ``url``/v1/predict with ``key`` until the block ends."""

    def __init__(self, url: str, key: str, body: bytes, clients: int, content_type: str = "application/json") -> None:
        self.url, self.body, self.stopping = url, body, threading.Event()
        self.headers = {"x-api-key": key, "content-type": content_type}
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(clients)]

    def _send(self) -> None:
        with httpx.Client(timeout=60) as client:
            while not self.stopping.is_set():
                started = time.monotonic()
                try:
                    response = client.post(f"{self.url}/v1/predict", content=self.body, headers=self.headers)
                    failure = None if response.status_code == 200 else f"{response.status_code}: {response.text}"
                except httpx.HTTPError as exc:
                    failure = f"{type(exc).__name__}: {exc}"
                with self._lock:
                    self.sent.append(Sent(started, (time.monotonic() - started) * 1000, failure))

    @property
    def answers(self) -> int:
        return sum(sent.ok for sent in self.sent)

    @property
    def failures(self) -> list[str]:
        return [sent.failure for sent in self.sent if sent.failure is not None]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
