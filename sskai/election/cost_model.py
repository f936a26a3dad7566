"""Expected cost and time of a job on one spot offer, with interruptions priced in.

The model, in one place so every election and benchmark uses the same arithmetic:
- throughput: datasheet FLOP/s (FP32, or dense BF16 tensor rate) x devices x an assumed utilisation,
  less a data-parallel scaling loss per doubling of devices; a measured figure replaces the estimate;
- interruptions: a pool's hazard (losses per hour held) comes from the trace-calibrated risk model
  (``sskai.risk``) where the caller passes one, else from the Spot Advisor bucket read literally as a
  Poisson rate; each interruption costs the restart time plus on average half a checkpoint interval of
  lost work, and a fresh node that pulls the dataset again; checkpointing costs its write time once
  per interval;
- capacity: a launch waits (unbilled) for the pool's expected start wait, once per launch;
- data: every launch outside the dataset's region pulls it across (``sskai.catalog.transfer``);
- serving: enough instances to sustain the FLOP/s and memory-bandwidth rates, over-provisioned for the
  fraction of time a spot instance is being replaced.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from sskai.catalog.catalog import AcceleratorSpec, InstanceOffer, spot_usd_per_hour
from sskai.catalog.transfer import load_transfer_pricing
from sskai.election.job import Job
from sskai.risk.model import PoolRisk, advisor_rate_per_hour
from sskai.units import SECONDS_PER_HOUR

# Share of datasheet FLOP/s that a well-fed PyTorch job sustains (model FLOPs utilisation).
ASSUMED_MFU = 0.35
# Share of datasheet memory bandwidth that LLM decoding sustains.
ASSUMED_BANDWIDTH_UTILISATION = 0.6
# Each doubling of data-parallel devices keeps this share of per-device throughput (gradient all-reduce).
SCALING_PER_DOUBLING = 0.92


def device_flops(spec: AcceleratorSpec, precision: str) -> float:
    tflops = spec.fp16_bf16_dense_tflops if precision == "bf16" else spec.fp32_tflops
    return (tflops or 0.0) * 1e12


def offer_flops_per_second(offer: InstanceOffer, spec: AcceleratorSpec, job: Job) -> float:
    measured = dict(job.measured_flops_per_second).get(offer.instance_type)
    if measured:
        return measured
    devices = offer.accelerator_count
    scaling = SCALING_PER_DOUBLING ** math.log2(devices) if devices > 1 else 1.0
    return device_flops(spec, job.precision) * devices * ASSUMED_MFU * scaling


def offer_bytes_per_second(offer: InstanceOffer, spec: AcceleratorSpec) -> float:
    return spec.memory_bandwidth_gb_s * 1e9 * offer.accelerator_count * ASSUMED_BANDWIDTH_UTILISATION


@dataclass(frozen=True)
class TrainingEstimate:
    """Hours and dollars to finish a training job on one offer; ``never`` where it cannot finish."""

    usd_per_hour: float
    flops_per_second: float
    compute_hours: float
    interruptions_per_hour: float
    inflation: float  # expected wall time / compute time: checkpoint writes and re-work after interruptions
    expected_hours: float  # billed hours
    transfer_usd: float = 0.0  # the dataset pulled by every launch outside its region
    wait_hours: float = 0.0  # expected unbilled wait for capacity over all launches

    @classmethod
    def never(cls, usd_per_hour: float) -> TrainingEstimate:
        return cls(usd_per_hour, 0.0, math.inf, 0.0, math.inf, math.inf)

    @property
    def expected_usd(self) -> float:
        return self.expected_hours * self.usd_per_hour + self.transfer_usd

    @property
    def expected_completion_hours(self) -> float:
        return self.expected_hours + self.wait_hours

    @property
    def expected_interruptions(self) -> float:
        return self.interruptions_per_hour * self.expected_hours

    @property
    def finishes(self) -> bool:
        return math.isfinite(self.expected_usd)

    def as_numbers(self) -> dict[str, float]:
        """Every number that decided the estimate, for the explanation a user sees."""
        return {
            **asdict(self),
            "expected_usd": self.expected_usd,
            "expected_interruptions": self.expected_interruptions,
            "expected_completion_hours": self.expected_completion_hours,
        }


@dataclass(frozen=True)
class ServingEstimate:
    """Instances and dollars per hour to sustain a serving load on one offer."""

    usd_per_hour: float  # one instance
    flops_per_second: float
    bytes_per_second: float
    instances_for_flops: float
    instances_for_bandwidth: float
    unavailable_share: float  # of the time a spot instance is being replaced
    instances: float  # whole instances, or inf where the offer cannot serve the load

    @classmethod
    def never(cls, usd_per_hour: float) -> ServingEstimate:
        return cls(usd_per_hour, 0.0, 0.0, math.inf, math.inf, 0.0, math.inf)

    @property
    def expected_usd_per_hour(self) -> float:
        return self.instances * self.usd_per_hour

    @property
    def serves(self) -> bool:
        return math.isfinite(self.expected_usd_per_hour)

    def as_numbers(self) -> dict[str, float]:
        return {**asdict(self), "expected_usd_per_hour": self.expected_usd_per_hour}


@dataclass(frozen=True)
class FinishCost:
    """Expected dollars, billed hours and launches to finish some work, per option (numpy arrays)."""

    usd: np.ndarray
    hours: np.ndarray
    launches: np.ndarray
    inflation: np.ndarray  # billed work hours per hour of work: checkpoint writes and re-work after interruptions


def cost_to_finish(
    work_hours: float,
    usd_per_hour: np.ndarray | float,
    hazard_per_hour: np.ndarray | float,
    loss_per_interruption_hours: float,
    restart_hours: float,
    fresh: np.ndarray | float = 1.0,
    launch_usd: np.ndarray | float = 0.0,
    overhead_share: float = 0.0,
) -> FinishCost:
    """Expected cost to finish ``work_hours`` of work on each option, with interruptions priced in.

    One formula for the election (one offer, a fresh start) and the spot policy (every pool at once,
    every tick). Each interruption (``hazard_per_hour`` per hour held) costs ``loss_per_interruption_hours``
    (a restart plus the work since the last checkpoint); work stretches by ``1 / (1 - hazard x loss)``
    and by the checkpoints' own ``overhead_share``. A ``fresh`` option (not held now) also pays one
    start, and every launch pays ``launch_usd`` (the data it moves).
    """
    hazard = np.asarray(hazard_per_hour, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lost_share = hazard * loss_per_interruption_hours
        inflation = np.where(lost_share < 1.0, (1.0 + overhead_share) / (1.0 - lost_share), np.inf)
        hours = work_hours * inflation + np.asarray(fresh, dtype=float) * restart_hours
        launches = np.where(np.isfinite(hours), fresh + hazard * hours, np.inf)
        usd = hours * np.asarray(usd_per_hour, dtype=float) + launches * np.asarray(launch_usd, dtype=float)
    return FinishCost(usd=usd, hours=hours, launches=launches, inflation=inflation)


def _training_estimate(
    offer: InstanceOffer, spec: AcceleratorSpec, job: Job, price: float, rate: float, start_wait_hours: float = 0.0
) -> TrainingEstimate:
    """Hours and dollars to finish ``job`` at ``price`` with ``rate`` interruptions per hour."""
    flops = offer_flops_per_second(offer, spec, job)
    if flops <= 0:
        return TrainingEstimate.never(price)
    compute_hours = job.work_flops / flops / SECONDS_PER_HOUR
    finish = cost_to_finish(
        compute_hours,
        price,
        rate,
        loss_per_interruption_hours=(job.restart_seconds + job.checkpoint_interval_seconds / 2.0) / SECONDS_PER_HOUR,
        restart_hours=job.restart_seconds / SECONDS_PER_HOUR,  # the first start
        overhead_share=job.checkpoint_seconds / max(job.checkpoint_interval_seconds, 1.0),
    )
    inflation, hours, launches = float(finish.inflation), float(finish.hours), float(finish.launches)
    per_launch = load_transfer_pricing().usd(job.data_gb, job.data_region, offer.region) if job.data_gb else 0.0
    return TrainingEstimate(
        usd_per_hour=price,
        flops_per_second=flops,
        compute_hours=compute_hours,
        interruptions_per_hour=rate,
        inflation=inflation,
        expected_hours=hours,
        transfer_usd=per_launch * launches if per_launch else 0.0,
        wait_hours=start_wait_hours * launches if start_wait_hours else 0.0,
    )


def _serving_estimate(
    offer: InstanceOffer, spec: AcceleratorSpec, job: Job, price: float, rate: float
) -> ServingEstimate:
    """Instances and dollars per hour to sustain ``job``'s rates, over-provisioned for replacements."""
    flops = offer_flops_per_second(offer, spec, job)
    bandwidth = offer_bytes_per_second(offer, spec)
    needed_for_flops = job.flops_per_second / flops if flops > 0 else math.inf
    needed_for_bytes = job.bytes_per_second / bandwidth if bandwidth > 0 else math.inf
    unavailable = min(rate * job.restart_seconds / SECONDS_PER_HOUR, 0.99)
    needed = max(needed_for_flops, needed_for_bytes, 1e-9)
    return ServingEstimate(
        usd_per_hour=price,
        flops_per_second=flops,
        bytes_per_second=bandwidth,
        instances_for_flops=needed_for_flops,
        instances_for_bandwidth=needed_for_bytes,
        unavailable_share=unavailable,
        instances=math.ceil(needed / (1.0 - unavailable)) if math.isfinite(needed) else math.inf,
    )


def expected_training(
    offer: InstanceOffer, spec: AcceleratorSpec, job: Job, risk: PoolRisk | None = None
) -> TrainingEstimate:
    """Expected hours and dollars to finish ``job`` on one spot ``offer`` node (``risk``: calibrated figures)."""
    if risk is None:
        # Without a calibrated risk: the Advisor bucket read literally.
        rate, wait = advisor_rate_per_hour(offer.spot_interruption_frequency), 0.0
    else:
        rate, wait = risk.hazard_per_hour, risk.expected_start_wait_hours
    return _training_estimate(offer, spec, job, spot_usd_per_hour(offer), rate, wait)


def expected_serving(
    offer: InstanceOffer, spec: AcceleratorSpec, job: Job, risk: PoolRisk | None = None
) -> ServingEstimate:
    """Spot instances and dollars per hour to sustain ``job``'s rates on ``offer``."""
    rate = risk.hazard_per_hour if risk else advisor_rate_per_hour(offer.spot_interruption_frequency)
    return _serving_estimate(offer, spec, job, spot_usd_per_hour(offer), rate)


def ondemand_training(offer: InstanceOffer, spec: AcceleratorSpec, job: Job) -> TrainingEstimate:
    """The same job on on-demand capacity: no interruptions, checkpointing still costs its time."""
    if offer.ondemand_usd_per_hour is None:
        return TrainingEstimate.never(math.inf)
    return _training_estimate(offer, spec, job, offer.ondemand_usd_per_hour, rate=0.0)


def ondemand_serving(offer: InstanceOffer, spec: AcceleratorSpec, job: Job) -> ServingEstimate:
    if offer.ondemand_usd_per_hour is None:
        return ServingEstimate.never(math.inf)
    return _serving_estimate(offer, spec, job, offer.ondemand_usd_per_hour, rate=0.0)
