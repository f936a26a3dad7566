"""Adaptive batching in front of a blocking model call: batched under load, alone otherwise, faults kept apart."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sskai.serving.batching import Batcher
from sskai.serving.pool import InferenceTimeout, ModelFault


class SlowModel:
    """Doubles its input after ``seconds``; refuses (as a model raising would) any batch holding a negative value."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds, self.calls = seconds, []
        self.lock = threading.Lock()

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        with self.lock:
            self.calls.append(len(inputs))
        time.sleep(self.seconds)
        if (inputs < 0).any():
            raise ModelFault("the model raised ValueError: negative input")
        return inputs * 2


def test_requests_that_queue_behind_a_busy_worker_go_together() -> None:
    model = SlowModel()
    batcher = Batcher(model, slots=1, max_batch_rows=64)
    requests = [np.full((2, 3), i, dtype=np.float32) for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(batcher.predict, requests))
    batcher.close()
    for request, answer in zip(requests, answers, strict=True):
        assert np.array_equal(answer, request * 2)  # each gets its own rows back
    assert sum(model.calls) == 24 and len(model.calls) <= 4  # 12 requests in a few model calls
    assert batcher.stats.largest > 1


def test_a_lone_request_goes_at_once() -> None:
    model = SlowModel(0.0)
    batcher = Batcher(model, slots=1, max_batch_rows=64, max_wait_seconds=0.0)
    started = time.perf_counter()
    for _ in range(20):
        batcher.predict(np.ones((1, 3), dtype=np.float32))
    each = (time.perf_counter() - started) / 20
    batcher.close()
    assert model.calls == [1] * 20 and each < 0.05


def test_a_bad_request_in_a_batch_fails_alone() -> None:
    model = SlowModel()
    batcher = Batcher(model, slots=1, max_batch_rows=64)
    requests = [np.full((1, 3), -1.0 if i == 5 else float(i), dtype=np.float32) for i in range(10)]

    def ask(inputs: np.ndarray) -> object:
        try:
            return batcher.predict(inputs)
        except ModelFault as exc:
            return exc

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(ask, requests))
    batcher.close()
    assert isinstance(answers[5], ModelFault) and "negative input" in str(answers[5])
    for i, answer in enumerate(answers):
        if i != 5:
            assert np.array_equal(answer, requests[i] * 2), i
    assert batcher.stats.split_after_fault >= 1


def test_batches_never_mix_shapes_or_exceed_the_rows() -> None:
    model = SlowModel()
    batcher = Batcher(model, slots=1, max_batch_rows=4)
    requests = [np.ones((1, 3 if i % 2 else 5), dtype=np.float32) for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(batcher.predict, requests))
    batcher.close()
    assert [a.shape for a in answers] == [r.shape for r in requests]
    assert max(model.calls) <= 4


def test_a_timeout_fails_the_whole_batch() -> None:
    gate = threading.Event()

    def hangs(inputs: np.ndarray) -> np.ndarray:
        gate.wait(0.2)
        raise InferenceTimeout("the model did not answer within 30 s; its worker was restarted")

    batcher = Batcher(hangs, slots=1, max_batch_rows=8)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.predict, np.ones((1, 2))) for _ in range(4)]
        for future in futures:
            with pytest.raises(InferenceTimeout):
                future.result()
    batcher.close()


def test_it_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        Batcher(SlowModel(), slots=0, max_batch_rows=1)


def test_an_answer_counts_the_model_time_not_the_wait_in_the_queue() -> None:
    """What a serverless endpoint is billed for: three one-row requests through one slot, one at a time."""
    model = SlowModel(0.2)
    batcher = Batcher(model, slots=1, max_batch_rows=1)
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(batcher.answer, [np.ones((1, 3), dtype=np.float32)] * 3))
    batcher.close()
    assert model.calls == [1, 1, 1]  # the last waited about 0.4 s behind the other two
    assert all(0.2 <= a.model_seconds < 0.35 for a in answers), [a.model_seconds for a in answers]


def test_a_batch_waits_for_a_request_still_being_read_and_not_for_one_that_failed() -> None:
    """The worker is busy; one request queues while the server is still reading another: they go together.
    A request announced and then refused (bad body) holds nobody up past its withdrawal."""
    model = SlowModel(0.2)
    batcher = Batcher(model, slots=1, max_batch_rows=64, max_wait_seconds=1.0)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher.predict, np.ones((1, 3), np.float32))  # holds the worker for 0.2 s
        time.sleep(0.05)
        batcher.expect()  # the server has begun reading a request
        queued = pool.submit(batcher.predict, np.ones((1, 3), np.float32))
        time.sleep(0.35)  # the worker is free again: the queued one waits for its companion
        answer, alone = batcher.submit(np.ones((1, 3), np.float32), expected=True)
        assert alone is None  # a batch is forming: it joins it
        first.result(), queued.result(), answer.result()
    assert model.calls == [1, 2]

    model.calls.clear()
    batcher.expect()  # announced, so the next request waits for it rather than go alone
    started = time.perf_counter()
    waiting = threading.Thread(target=batcher.predict, args=(np.ones((1, 3), np.float32),))
    waiting.start()
    time.sleep(0.3)
    batcher.withdraw()  # it failed to decode: nobody is on the way any more, so the batch goes now
    waiting.join(5)
    batcher.close()
    assert 0.3 <= time.perf_counter() - started < 0.9 and model.calls == [1]  # not the full second
