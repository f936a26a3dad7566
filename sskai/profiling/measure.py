"""The measurements of one model: size, FLOPs, peak memory and latency. Runs user code."""

from __future__ import annotations

import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from sskai.bundles.objectives import compute_loss
from sskai.bundles.spec import ModelSpec
from sskai.profiling.memory import ResidentMemory, measure_peak_bytes, peak_rss_bytes
from sskai.profiling.metrics import ProfileMetrics

WARMUP_RUNS = 3
TIMED_RUNS = 20


def sample_inputs(spec: ModelSpec, batch: int, device: torch.device, generator: torch.Generator) -> torch.Tensor:
    """Inputs inside the declared range and dtype (integers for token models)."""
    shape = (batch, *spec.input_shape)
    low, high = spec.value_range if spec.value_range is not None else (0.0, 1.0)
    if spec.input_dtype.startswith("int"):
        values = torch.randint(int(low), int(high) + 1, shape, generator=generator)
        return values.to(device=device, dtype=getattr(torch, spec.input_dtype))
    values = torch.rand(shape, generator=generator) * (high - low) + low
    return values.to(device=device, dtype=getattr(torch, spec.input_dtype))


def sample_targets(spec: ModelSpec, output: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A target of the shape the task's loss expects, for one measured training step."""
    if spec.task == "regression":
        return torch.randn(output.shape, generator=generator).to(output.device, output.dtype)
    classes = output.shape[-1]
    return torch.randint(0, classes, output.shape[:-1], generator=generator).to(output.device)


def profile_model(
    model: torch.nn.Module,
    spec: ModelSpec,
    device: torch.device,
    resident: ResidentMemory,
    inference_batch: int = 8,
    train_batch: int = 8,
) -> ProfileMetrics:
    """Measure ``model``; ``resident`` holds the process's memory before and after it was built."""
    generator = torch.Generator().manual_seed(0)
    model = model.to(device)
    params = list(model.parameters())
    buffers = list(model.buffers())
    parameter_count = sum(p.numel() for p in params)
    weight_bytes = sum(t.numel() * t.element_size() for t in params + buffers)

    single = sample_inputs(spec, 1, device, generator)
    batch = sample_inputs(spec, inference_batch, device, generator)
    model.eval()
    with torch.no_grad():
        output = model(single)
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"the model's forward returned {type(output).__name__}; sskai needs a tensor")
    if not torch.isfinite(output.float()).all():
        raise ValueError("the model's output has NaN or infinite values on in-range inputs")

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(single)
    forward_flops = float(counter.get_total_flops())

    with torch.no_grad():
        inference_peak = measure_peak_bytes(lambda: model(batch), device, params + buffers)
    single_ms = _latencies_ms(model, single, device)
    batch_ms = _latencies_ms(model, batch, device)
    serving_peak_rss = peak_rss_bytes()  # before the training step's optimizer state exists

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    train_x = sample_inputs(spec, train_batch, device, generator)
    with torch.no_grad():
        train_y = sample_targets(spec, model(train_x), generator)

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = compute_loss(spec.default_loss, model(train_x), train_y)
        loss.backward()
        optimizer.step()

    with FlopCounterMode(display=False) as counter:
        optimizer.zero_grad(set_to_none=True)
        compute_loss(spec.default_loss, model(train_x), train_y).backward()
    train_flops = float(counter.get_total_flops()) / train_batch
    # The first step allocates the optimizer state; the peak of the second is the steady state plus it.
    train_step()
    train_peak = measure_peak_bytes(train_step, device, params + buffers)
    optimizer.zero_grad(set_to_none=True)

    model.eval()
    return ProfileMetrics(
        device=str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        parameter_count=parameter_count,
        weight_bytes=weight_bytes,
        forward_flops_per_sample=forward_flops,
        train_flops_per_sample=train_flops,
        inference_batch_size=inference_batch,
        inference_peak_bytes=inference_peak,
        train_batch_size=train_batch,
        train_step_peak_bytes=train_peak,
        latency_ms_p50=statistics.median(single_ms),
        latency_ms_p95=_percentile(single_ms, 95),
        batch_latency_ms_p50=statistics.median(batch_ms),
        output_shape=tuple(output.shape[1:]),
        runtime_rss_bytes=resident.before_model,
        model_held_bytes=max(resident.after_model - resident.before_model, weight_bytes),
        serving_peak_rss_bytes=serving_peak_rss,
    )


def _latencies_ms(model: torch.nn.Module, inputs: torch.Tensor, device: torch.device) -> list[float]:
    times = []
    with torch.no_grad():
        for run in range(WARMUP_RUNS + TIMED_RUNS):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            start = time.perf_counter()
            model(inputs)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            if run >= WARMUP_RUNS:
                times.append((time.perf_counter() - start) * 1000.0)
    return times


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
