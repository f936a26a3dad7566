"""The endpoint's inference workers: sandboxed processes that hold the model, each answering one request at a time.

The HTTP server never runs the user's model itself, so a slow, hung or crashing model costs one
request (504 or 500), never ``/health``, ``/metrics`` or the server. A worker that overruns the
time-out, dies or goes over its memory cap is killed with everything it started and replaced.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import signal
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from sskai.bundles.npyfile import NotPlainNpy, array_from_bytes, array_to_bytes
from sskai.bundles.spec import ModelSpec
from sskai.errors import BundleError, EndpointError
from sskai.sandbox import SandboxedProcess, SandboxPolicy, python_command, start_sandboxed
from sskai.serving.process import EndpointLimits
from sskai.serving.worker import (
    ANSWER,
    BAD_INPUT,
    HEADER,
    LOAD_FAILED,
    PREDICT,
    READY,
)
from sskai.units import MiB

START_TIMEOUT_SECONDS = 120.0


class InferenceTimeout(Exception):
    """The model did not answer within the endpoint's time-out (504)."""


class NoWorkerFree(Exception):
    """Every worker stayed busy (or was being replaced) for the whole time-out (503)."""


class ModelFault(Exception):
    """The model raised, died or went over its memory cap on this request (500)."""


@dataclass(frozen=True)
class PoolConfig:
    bundle_dir: Path
    spec: ModelSpec
    weights: Path | None
    scratch: Path  # each worker's own folder goes under it
    limits: EndpointLimits


class _Worker:
    def __init__(self, process: SandboxedProcess, generation: int) -> None:
        self.process = process
        self.generation = generation
        self.requests: IO[bytes] = process.popen.stdin  # type: ignore[assignment]
        self.answers: IO[bytes] = process.popen.stdout  # type: ignore[assignment]
        self._selector = selectors.DefaultSelector()  # one per worker: no epoll set up per read
        self._selector.register(self.answers, selectors.EVENT_READ)

    def read_frame(self, deadline: float) -> tuple[bytes, bytes]:
        header = self._read(HEADER.size, deadline)
        kind, size = HEADER.unpack(header)
        return kind, self._read(size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, left = [], size
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._selector.select(remaining):
                raise InferenceTimeout
            chunk = self.answers.read1(left)  # type: ignore[attr-defined]
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def end(self) -> None:
        """Kill the worker and everything it started; close our ends of its pipes."""
        with contextlib.suppress(OSError):
            self.requests.close()
        self.process.kill()
        self._selector.close()

    def death(self) -> str:
        """Why the worker is gone, as well as can be told."""
        code = self.process.popen.poll()
        if self.process.over_memory():
            return "its worker went over the endpoint's memory cap and was killed"
        if code is not None and code < 0:
            return f"its worker was killed by {signal.Signals(-code).name}"
        return f"its worker exited with code {code}"


class InferencePool:
    def __init__(self, config: PoolConfig) -> None:
        self.config = config
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._number = 0
        # One long-lived thread starts every worker: the sandbox ties a worker's life to the thread
        # that started it (parent-death signal), so none outlives a server that is SIGKILLed.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sskai-spawner")
        self.replaced = 0
        self.weights = config.weights  # what new workers load; reload() changes it
        self.generation = 0  # a worker of an older generation is retired instead of reused

    def start(self) -> None:
        """Start every worker and wait until each has loaded the model; raises EndpointError if one cannot."""
        starting = [self._spawner.submit(self._start_worker) for _ in range(self.config.limits.workers)]
        for future in starting:
            self._idle.put(future.result())

    def _start_worker(self) -> _Worker:
        with self._lock:
            self._number += 1
            number = self._number
            weights, generation = self.weights, self.generation
        readable = (self.config.bundle_dir, *([weights] if weights else []))
        policy = SandboxPolicy(
            workdir=self.config.scratch / f"worker-{number}",
            readable=readable,
            memory_bytes=self.config.limits.sandbox.memory_bytes,
            max_processes=self.config.limits.sandbox.max_processes,
            max_file_bytes=64 * MiB,
            die_with_parent=True,
        )
        arguments = ["--bundle", str(self.config.bundle_dir), "--spec", self.config.spec.model_dump_json()]
        if weights:
            arguments += ["--weights", str(weights)]
        process = start_sandboxed(
            python_command("sskai.serving.worker", *arguments),
            policy,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the server's own log
        )
        worker = _Worker(process, generation)
        try:
            kind, payload = worker.read_frame(time.monotonic() + START_TIMEOUT_SECONDS)
        except (InferenceTimeout, EOFError) as exc:
            reason = "did not load the model in time" if isinstance(exc, InferenceTimeout) else worker.death()
            worker.end()
            raise EndpointError(f"inference worker {number}: {reason}") from exc
        if kind != READY:
            worker.end()
            message = payload.decode(errors="replace") if kind == LOAD_FAILED else f"said {kind!r}"
            raise EndpointError(f"the model could not be loaded: {message}")
        with self._lock:
            self._all.add(worker)
        return worker

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Run one request on a free worker within the time-out; the errors say whose fault a failure is."""
        deadline = time.monotonic() + self.config.limits.timeout_seconds
        try:
            worker = self._idle.get(timeout=self.config.limits.timeout_seconds)
        except queue.Empty as exc:
            raise NoWorkerFree(
                f"no inference worker was free for {self.config.limits.timeout_seconds:.0f} s; try again"
            ) from exc
        return self._exchange(worker, inputs, deadline)

    def _exchange(self, worker: _Worker, inputs: np.ndarray, deadline: float) -> np.ndarray:
        payload = array_to_bytes(inputs)
        try:
            worker.requests.write(HEADER.pack(PREDICT, len(payload)) + payload)
            worker.requests.flush()
            kind, answer = worker.read_frame(deadline)
        except InferenceTimeout:
            self._replace(worker)
            raise InferenceTimeout(
                f"the model did not answer within {self.config.limits.timeout_seconds:.0f} s; its worker was restarted"
            ) from None
        except (EOFError, OSError, ValueError):  # a pipe to a dead worker
            self._replace(worker)
            raise ModelFault(f"the model could not answer: {worker.death()}") from None
        self._release(worker)
        if kind == ANSWER:
            try:
                return array_from_bytes(answer)
            except NotPlainNpy as exc:  # the worker runs the user's code: what it sends back is checked too
                raise ModelFault(f"the model's answer could not be read: {exc}") from None
        message = answer.decode(errors="replace")
        if kind == BAD_INPUT:
            raise BundleError(message)
        raise ModelFault(message)

    def _release(self, worker: _Worker) -> None:
        """Back to the pool, unless a reload retired its generation (then it ends, its request answered)."""
        if worker.generation == self.generation:
            self._idle.put(worker)
        else:
            self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.end()

    def reload(self, weights: Path) -> None:
        """Serve ``weights`` with no request failing: new workers load them while the old ones answer,
        then the new ones take over and each old one ends once its request (if any) is answered.

        Raises EndpointError (and keeps the old weights) if the new ones cannot be loaded.
        """
        with self._lock:
            previous = (self.weights, self.generation)
            self.weights, self.generation = weights, self.generation + 1
        fresh = [self._spawner.submit(self._start_worker) for _ in range(self.config.limits.workers)]
        started, failure = [], None
        for future in fresh:
            try:
                started.append(future.result())
            except EndpointError as exc:
                failure = exc
        if failure is not None:
            for worker in started:
                self._retire(worker)
            with self._lock:
                self.weights, self.generation = previous
            raise failure
        old = []
        while True:
            try:
                old.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in started:
            self._idle.put(worker)
        for worker in old:
            self._release(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (and what it started) and start another in its place, in the background."""
        worker.end()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
            self.replaced += 1
        future: Future[_Worker] = self._spawner.submit(self._start_worker)
        future.add_done_callback(self._replacement_ready)

    def _replacement_ready(self, future: Future[_Worker]) -> None:
        with contextlib.suppress(Exception):  # a replacement that cannot start leaves the pool smaller
            self._release(future.result())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.end()
        self._spawner.shutdown(wait=False, cancel_futures=True)
