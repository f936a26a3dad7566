"""What a profile measured: the record every later stage (recommend, deploy checks) reads."""

from __future__ import annotations

from typing import ClassVar

from sskai.versioned import Versioned


class ProfileMetrics(Versioned):
    """Sizes in bytes, work in FLOPs, times in milliseconds, each named with its unit."""

    SCHEMA_VERSION: ClassVar[int] = 2
    REMEDY: ClassVar[str] = "profile the model again (`sskai profile NAME`)"

    device: str
    parameter_count: int
    weight_bytes: int
    forward_flops_per_sample: float
    train_flops_per_sample: float
    inference_batch_size: int
    inference_peak_bytes: int
    train_batch_size: int
    train_step_peak_bytes: int
    latency_ms_p50: float
    latency_ms_p95: float
    batch_latency_ms_p50: float
    output_shape: tuple[int, ...]
    # The whole process, not only tensors: what a model holds outside torch (arrays, caches made at
    # import) shows here and nowhere else.
    runtime_rss_bytes: int  # resident before the model was built: the interpreter, torch, sskai
    model_held_bytes: int  # resident growth from building the model (at least its weights)
    serving_peak_rss_bytes: int  # peak resident size while serving: what a function or container needs

    @property
    def on_cpu(self) -> bool:
        return self.device == "cpu"
