"""Memory a model needs: peak tensor bytes of a piece of work on any device, and the process's resident size.

On CUDA the allocator's own peak counter is exact. On CPU there is no such counter, so a dispatch
mode watches every tensor each op creates and frees (through storage weak references) and keeps
the peak of live bytes: parameters, activations, gradients and optimizer state alike.
"""

from __future__ import annotations

import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class LiveTensorBytes(TorchDispatchMode):
    def __init__(self, preexisting: list[torch.Tensor] | None = None) -> None:
        super().__init__()
        self._live: dict[int, tuple[StorageWeakRef, int]] = {}
        for tensor in preexisting or []:
            self._track(tensor)
        self.peak_bytes = self.current_bytes()

    def _track(self, tensor: torch.Tensor) -> None:
        storage = tensor.untyped_storage()
        key = storage.data_ptr()
        if key and key not in self._live:
            self._live[key] = (StorageWeakRef(storage), storage.nbytes())

    def current_bytes(self) -> int:
        dead = [key for key, (ref, _) in self._live.items() if ref.expired()]
        for key in dead:
            del self._live[key]
        return sum(size for _, size in self._live.values())

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        flat, _ = tree_flatten(out)
        for item in flat:
            if isinstance(item, torch.Tensor):
                self._track(item)
        self.peak_bytes = max(self.peak_bytes, self.current_bytes())
        return out


def measure_peak_bytes(work: Any, device: torch.device, preexisting: list[torch.Tensor]) -> int:
    """Run ``work()`` and return the peak bytes of tensors alive during it (including ``preexisting``)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        work()
        torch.cuda.synchronize(device)
        return int(torch.cuda.max_memory_allocated(device))
    with LiveTensorBytes(preexisting) as tracker:
        work()
    return int(tracker.peak_bytes)


def current_rss_bytes() -> int:
    """Resident size of this process now (``VmRSS``); the peak where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """The most this process has ever had resident (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass(frozen=True)
class ResidentMemory:
    """The process's resident bytes just before and just after the model was built."""

    before_model: int
    after_model: int
