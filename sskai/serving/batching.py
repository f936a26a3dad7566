"""Adaptive batching: concurrent requests that wait for a worker go to the model together, as one batch.

A request that finds a worker free and nothing queued goes at once, alone, on the caller's own
thread: at concurrency 1 batching costs nothing, not even a thread hop. Requests that arrive while
every worker is busy queue; the next worker to come free takes the
oldest and every compatible one queued behind it (same dtype and sample shape), up to
``max_batch_rows`` samples (a request larger than that goes alone), waiting at most
``max_wait_seconds`` for more to fill the batch, and only while the server is still reading
requests that will join it (announced with ``expect``); with nobody on the way it goes at once. The batch's answer is
split back by rows. A batch that fails because of one request's values (the model raised, or said
the input is bad) is run again one request at a time, so only that request fails; a time-out or a
lost worker fails the whole batch, as it would each request alone.

Each answer says how long the model ran for it (its batch's run, or its own), never counting the
wait in the queue: that is what a serverless endpoint is billed for, as Lambda bills an invocation.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from sskai.errors import BundleError
from sskai.serving.pool import ModelFault

# What a request's own values can cause: these are retried one request at a time.
ONE_REQUESTS_FAULT = (ModelFault, BundleError)


@dataclass(frozen=True)
class Answer:
    """A request's rows of the model's output, and the seconds the model ran to give them."""

    outputs: np.ndarray
    model_seconds: float


@dataclass
class _Request:
    inputs: np.ndarray
    answer: Future[Answer] = field(default_factory=Future)

    @property
    def signature(self) -> tuple[str, tuple[int, ...]]:
        return self.inputs.dtype.str, self.inputs.shape[1:]


@dataclass
class BatchStats:
    """What batching did (and within which limits), for /metrics and the benchmark."""

    max_batch_rows: int = 0
    max_wait_ms: float = 0.0
    batches: int = 0
    requests: int = 0
    largest: int = 0
    split_after_fault: int = 0

    @property
    def mean_batch(self) -> float:
        return self.requests / self.batches if self.batches else 0.0


class Batcher:
    """Batches calls to ``predict`` (the pool's: it blocks while a worker runs the model) over ``slots`` workers."""

    def __init__(
        self,
        predict: Callable[[np.ndarray], np.ndarray],
        slots: int,
        max_batch_rows: int,
        max_wait_seconds: float = 0.0,
    ) -> None:
        if slots < 1 or max_batch_rows < 1 or max_wait_seconds < 0:
            raise ValueError("a batcher needs at least one slot, one row per batch and a wait of zero or more")
        self._predict, self.max_batch_rows, self.max_wait_seconds = predict, max_batch_rows, max_wait_seconds
        self._queue: deque[_Request] = deque()
        self._changed = threading.Condition()
        self._free_slots = slots  # workers not running a batch; changed under ``_changed``
        self._arriving = 0  # requests announced by expect() and not yet submitted
        self._runners = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="sskai-batch")
        self._closed = False
        self.stats = BatchStats(max_batch_rows=max_batch_rows, max_wait_ms=max_wait_seconds * 1000)
        self._dispatcher = threading.Thread(target=self._dispatch, name="sskai-batcher", daemon=True)
        self._dispatcher.start()

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Blocks until this request's rows are answered; raises what the model's run raised for it."""
        return self.answer(inputs).outputs

    def answer(self, inputs: np.ndarray) -> Answer:
        """As :meth:`predict`, with the seconds the model ran for this request (blocking: for threads)."""
        answer, alone = self.submit(inputs)
        if alone is not None:
            self.run_alone(alone)
        return answer.result()

    def expect(self) -> None:
        """A request is on its way (the server is reading it): a batch may wait for it, none goes without it."""
        with self._changed:
            self._arriving += 1

    def submit(self, inputs: np.ndarray, expected: bool = False) -> tuple[Future[Answer], _Request | None]:
        """Queue ``inputs`` (never blocks). When a worker is free and nobody else waits or is on the way, it
        is handed back to run at once, alone, on the caller's side (:meth:`run_alone`, which blocks).

        ``expected``: announced by :meth:`expect` (it no longer is on its way)."""
        request = _Request(inputs)
        with self._changed:
            if expected:
                self._arriving -= 1
            if self._closed:
                raise RuntimeError("the batcher is closed")
            alone = self._free_slots > 0 and not self._queue and self._arriving == 0
            if alone:
                self._free_slots -= 1
            else:
                self._queue.append(request)
                self._changed.notify_all()
        return request.answer, request if alone else None

    def withdraw(self) -> None:
        """An expected request that will not come (it failed to decode)."""
        with self._changed:
            self._arriving -= 1
            self._changed.notify_all()

    def run_alone(self, request: _Request) -> None:
        """Run a request :meth:`submit` handed back: a worker is already its (no queue, no hop)."""
        self._run([request])

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._dispatcher.join(timeout=5)
        self._runners.shutdown(wait=True)

    def _dispatch(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            self._runners.submit(self._run, batch)

    def _take(self) -> list[_Request] | None:
        """The next batch, once a worker is free and a request waits (the slot is taken for it)."""
        with self._changed:
            while not (self._queue and self._free_slots > 0) and not self._closed:
                self._changed.wait()
            if self._closed and not self._queue:
                return None
            self._free_slots -= 1
            first = self._queue.popleft()
            batch, rows = [first], len(first.inputs)
            deadline = time.monotonic() + self.max_wait_seconds
            while rows < self.max_batch_rows:
                rows = self._gather(batch, rows)
                left = deadline - time.monotonic()
                if rows >= self.max_batch_rows or left <= 0 or self._closed or not self._arriving:
                    break  # full, waited enough, or nobody else is on the way
                self._changed.wait(left)
            return batch

    def _gather(self, batch: list[_Request], rows: int) -> int:
        """Move the queued requests that fit the batch (same signature, rows to spare) into it."""
        kept: deque[_Request] = deque()
        while self._queue:
            request = self._queue.popleft()
            if request.signature == batch[0].signature and rows + len(request.inputs) <= self.max_batch_rows:
                batch.append(request)
                rows += len(request.inputs)
            else:
                kept.append(request)
        self._queue.extendleft(reversed(kept))
        return rows

    def _run(self, batch: list[_Request]) -> None:
        try:
            self._count(batch=len(batch))
            if len(batch) == 1:
                self._answer_alone(batch[0])
                return
            started = time.perf_counter()
            try:
                outputs = self._predict(np.concatenate([r.inputs for r in batch]))
            except ONE_REQUESTS_FAULT:
                self._count(split=True)
                for request in batch:  # find whose it was: each alone, so only that one fails
                    self._answer_alone(request)
                return
            except BaseException as exc:  # a time-out or a lost worker: the whole batch, as each alone
                for request in batch:
                    request.answer.set_exception(exc)
                return
            self._split(batch, outputs, time.perf_counter() - started)
        finally:
            with self._changed:
                self._free_slots += 1
                self._changed.notify_all()

    def _count(self, batch: int = 0, split: bool = False) -> None:
        with self._changed:
            if batch:
                self.stats.batches += 1
                self.stats.requests += batch
                self.stats.largest = max(self.stats.largest, batch)
            self.stats.split_after_fault += int(split)

    def _answer_alone(self, request: _Request) -> None:
        started = time.perf_counter()
        try:
            outputs = self._predict(request.inputs)
        except BaseException as exc:
            request.answer.set_exception(exc)
            return
        request.answer.set_result(Answer(outputs, time.perf_counter() - started))

    def _split(self, batch: list[_Request], outputs: np.ndarray, model_seconds: float) -> None:
        if len(outputs) != sum(len(r.inputs) for r in batch):  # a model that does not keep rows: one at a time
            self._count(split=True)
            for request in batch:
                self._answer_alone(request)
            return
        at = 0
        for request in batch:
            request.answer.set_result(Answer(outputs[at : at + len(request.inputs)], model_seconds))
            at += len(request.inputs)
