"""What a Lambda function can hold, checked before any AWS call: each refusal names the limit and the figure.

Lambda caps memory (10,240 MB), the image (10 GB, all layers uncompressed) and a synchronous payload
(6 MB each way), and gives CPU in proportion to memory; a model that breaks one of them would fail
at deploy time, or worse on its first large request, after images were pushed and functions made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sskai.bundles.spec import ModelSpec
from sskai.catalog.catalog import LambdaPricing
from sskai.errors import EndpointError
from sskai.profiling.metrics import ProfileMetrics
from sskai.units import GB, MiB

LAMBDA_FULL_VCPU_MB = 1769  # one full vCPU at 1,769 MB; below that, CPU time stretches in proportion
PAYLOAD_BYTES_MAX = 6 * MiB  # a synchronous invocation's request, and its response
NPY_HEADER_BYTES = 128  # numpy's .npy header, padded to 64-byte blocks: one block, or two for long shapes
LAMBDA_VCPUS_MAX = 6.0
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4}


@dataclass(frozen=True)
class LambdaFit:
    """How the model sits in a function: its memory, the CPU that buys, what one request may carry."""

    memory_mb: int
    vcpus: float
    image_bytes: int
    max_rows_per_request: int  # the largest batch whose request and response both fit the payload cap
    expected_warm_ms: float | None


def lambda_latency_ms(cpu_latency_ms: float, memory_mb: int) -> float:
    """A latency measured on a full CPU, as a function of ``memory_mb`` serves it."""
    return cpu_latency_ms * max(1.0, LAMBDA_FULL_VCPU_MB / memory_mb)


def vcpus_at(memory_mb: int) -> float:
    """Lambda's memory/vCPU curve: one full vCPU at 1,769 MB, in proportion, six at most."""
    return min(LAMBDA_VCPUS_MAX, memory_mb / LAMBDA_FULL_VCPU_MB)


def check_lambda_fit(
    memory_mb: int | None,
    spec: ModelSpec,
    profile: ProfileMetrics | None,
    image_bytes: int,
    limits: LambdaPricing,
    latency_slo_ms: float | None = None,
) -> LambdaFit:
    """The fit, or EndpointError listing every limit the model breaks."""
    problems: list[str] = []
    if memory_mb is None:
        raise EndpointError("no function memory was chosen for this model: recommend it first (`sskai recommend`)")
    if memory_mb > limits.memory_mb_max:
        problems.append(f"it needs {memory_mb:,} MB of memory, over Lambda's {limits.memory_mb_max:,} MB")
    image_max = int(limits.image_gb_max * GB)
    if image_bytes > image_max:
        problems.append(f"its image would be {image_bytes / GB:.1f} GB, over Lambda's {limits.image_gb_max:g} GB")
    request_row = math.prod(spec.input_shape) * DTYPE_BYTES[spec.input_dtype]
    response_row = math.prod(profile.output_shape) * 4 if profile is not None else 0
    row_bytes = max(request_row, response_row)
    max_rows = (PAYLOAD_BYTES_MAX - NPY_HEADER_BYTES) // row_bytes if row_bytes else 0
    if max_rows < 1:
        side = "request" if request_row >= response_row else "response"
        problems.append(
            f"one sample's {side} is {row_bytes / MiB:.1f} MiB, over Lambda's {PAYLOAD_BYTES_MAX // MiB} MiB payload"
        )
    expected_ms = None
    if profile is not None and profile.on_cpu:
        expected_ms = lambda_latency_ms(profile.latency_ms_p95, min(memory_mb, limits.memory_mb_max))
        if latency_slo_ms is not None and expected_ms > latency_slo_ms:
            problems.append(
                f"its warm p95 at {memory_mb:,} MB would be {expected_ms:.1f} ms "
                f"(profiled {profile.latency_ms_p95:.1f} ms on a full CPU), over the {latency_slo_ms:.0f} ms target"
            )
    if problems:
        raise EndpointError("this model cannot be served on Lambda: " + "; ".join(problems))
    return LambdaFit(
        memory_mb=memory_mb,
        vcpus=vcpus_at(memory_mb),
        image_bytes=image_bytes,
        max_rows_per_request=max_rows,
        expected_warm_ms=expected_ms,
    )
