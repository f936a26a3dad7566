"""Profiling runs user code in a separate process; crashes and time-outs become failed profiles."""

from __future__ import annotations

import torch

from sskai.profiling.memory import LiveTensorBytes


def test_live_tensor_bytes_sees_a_known_allocation() -> None:
    with LiveTensorBytes() as tracker:
        big = torch.ones(256, 1024)  # 1 MiB of float32
        del big
        small = torch.ones(10)
    assert tracker.peak_bytes >= 1024 * 1024
    assert tracker.current_bytes() < 1024 * 1024
    del small
