"""Typed access to the shipped price snapshot (the offline default; a live refresh replaces it).

Every price is USD per instance-hour, every memory figure GiB, as the field names say.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path

from sskai.catalog.managed import SageMakerPricing, load_sagemaker_pricing
from sskai.errors import NotFound

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class InstanceOffer:
    instance_type: str
    family: str
    accelerator: str
    accelerator_count: float  # fractional for shared GPUs (g6f: a quarter of an L4)
    accelerator_memory_gib_total: float
    vcpus: int
    memory_gib: float
    region: str
    ondemand_usd_per_hour: float | None
    spot_min_usd_per_hour: float | None
    spot_avg_usd_per_hour: float | None
    spot_max_usd_per_hour: float | None
    spot_interruption_frequency: str | None
    # Spot placement score (1-10) for this type in this region; only a live refresh has it.
    spot_placement_score: int | None = None

    @property
    def has_spot(self) -> bool:
        return self.spot_avg_usd_per_hour is not None

    @property
    def accelerator_memory_gib_each(self) -> float:
        return self.accelerator_memory_gib_total / max(self.accelerator_count, 1)


@dataclass(frozen=True)
class AcceleratorSpec:
    accelerator: str
    memory_gib: float
    memory_bandwidth_gb_s: float
    fp32_tflops: float | None
    fp16_bf16_dense_tflops: float | None
    seed_benchmark_score: float


@dataclass(frozen=True)
class LambdaPricing:
    usd_per_gb_second: float
    usd_per_million_requests: float
    memory_mb_min: int
    memory_mb_max: int
    timeout_seconds_max: int
    image_gb_max: float  # a container image's size, all layers uncompressed
    # The managed alternative a serverless endpoint is compared with (SageMaker Serverless Inference).
    sagemaker_serverless_usd_per_gb_second: float


@dataclass(frozen=True)
class Catalog:
    offers: tuple[InstanceOffer, ...]
    accelerators: dict[str, AcceleratorSpec]
    cpu_offers: tuple[InstanceOffer, ...]  # no accelerator; spot prices where a live refresh found them
    aws_lambda: LambdaPricing
    source: str
    sagemaker: SageMakerPricing | None = None  # the managed alternative to spot training and serving

    def offer(self, instance_type: str, region: str) -> InstanceOffer:
        for offer in (*self.offers, *self.cpu_offers):
            if offer.instance_type == instance_type and offer.region == region:
                return offer
        raise NotFound(f"{instance_type} is not offered in {region} in catalog {self.source}")

    def spot_offers(self, regions: tuple[str, ...] | None = None) -> list[InstanceOffer]:
        return [o for o in self.offers if o.has_spot and (regions is None or o.region in regions)]

    def accelerator_spec(self, offer: InstanceOffer) -> AcceleratorSpec | None:
        """The datasheet row for an offer's accelerator, matched by name and per-device memory.

        The instance table says "NVIDIA Tesla V100" or "NVIDIA T4 Tensor Core" where the datasheet
        table says "NVIDIA V100" / "NVIDIA V100 32GB" and "NVIDIA T4"; memory tells the variants apart.
        """
        base = _plain_name(offer.accelerator)
        candidates = [
            s
            for s in self.accelerators.values()
            if _plain_name(s.accelerator) == base or _plain_name(s.accelerator).startswith(base + " ")
        ]
        if not candidates:
            return None
        each = offer.accelerator_memory_gib_each
        return min(candidates, key=lambda s: abs(s.memory_gib - each))


def spot_usd_per_hour(offer: InstanceOffer) -> float:
    """The price a spot node is metered at: the pool's average spot price (on-demand without a spot market)."""
    if offer.spot_avg_usd_per_hour is not None:
        return offer.spot_avg_usd_per_hour
    if offer.ondemand_usd_per_hour is None:
        raise ValueError(f"{offer.instance_type} in {offer.region} has neither a spot nor an on-demand price")
    return offer.ondemand_usd_per_hour


def cpu_offer(row: dict[str, str]) -> InstanceOffer:
    """A CPU instance as an offer with no accelerator (spot columns optional: the snapshot has none)."""
    spot = _float(row.get("spot_avg_usd_per_hour") or "")
    return InstanceOffer(
        instance_type=row["instance_type"],
        family=row["instance_type"].split(".")[0],
        accelerator="",
        accelerator_count=0.0,
        accelerator_memory_gib_total=0.0,
        vcpus=int(row["vcpus"]),
        memory_gib=float(row["memory_gib"]),
        region=row["region"],
        ondemand_usd_per_hour=float(row["ondemand_usd_per_hour"]),
        spot_min_usd_per_hour=spot,
        spot_avg_usd_per_hour=spot,
        spot_max_usd_per_hour=spot,
        spot_interruption_frequency=row.get("spot_interruption_frequency") or None,
    )


def _plain_name(accelerator: str) -> str:
    return accelerator.replace(" Tensor Core", "").replace("Tesla ", "").strip()


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


OFFER_COLUMNS = [f.name for f in fields(InstanceOffer)]


def read_offers(lines: Iterable[str]) -> tuple[InstanceOffer, ...]:
    """Offers from CSV text with the snapshot's columns (extra columns ignored, missing optional ones empty)."""
    offers = []
    for row in csv.DictReader(lines):
        score = row.get("spot_placement_score") or ""
        offers.append(
            InstanceOffer(
                instance_type=row["instance_type"],
                family=row["family"],
                accelerator=row["accelerator"],
                accelerator_count=float(row["accelerator_count"]),
                accelerator_memory_gib_total=float(row["accelerator_memory_gib_total"]),
                vcpus=int(row["vcpus"]),
                memory_gib=float(row["memory_gib"]),
                region=row["region"],
                ondemand_usd_per_hour=_float(row["ondemand_usd_per_hour"]),
                spot_min_usd_per_hour=_float(row["spot_min_usd_per_hour"]),
                spot_avg_usd_per_hour=_float(row["spot_avg_usd_per_hour"]),
                spot_max_usd_per_hour=_float(row["spot_max_usd_per_hour"]),
                spot_interruption_frequency=row["spot_interruption_frequency"] or None,
                spot_placement_score=int(score) if score.strip() else None,
            )
        )
    return tuple(offers)


def offers_to_csv(offers: Iterable[InstanceOffer]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OFFER_COLUMNS)
    writer.writeheader()
    for offer in offers:
        writer.writerow({k: ("" if v is None else v) for k, v in asdict(offer).items()})
    return buffer.getvalue()


@cache
def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read the snapshot once per process; the rows are immutable."""
    with open(data_dir / "aws_accelerator_instances.csv", newline="") as fh:
        offers = read_offers(fh)
    with open(data_dir / "accelerator_specs.csv", newline="") as fh:
        accelerators = {
            row["accelerator"]: AcceleratorSpec(
                accelerator=row["accelerator"],
                memory_gib=float(row["memory_gib"]),
                memory_bandwidth_gb_s=float(row["memory_bandwidth_gb_s"]),
                fp32_tflops=_float(row["fp32_tflops"]),
                fp16_bf16_dense_tflops=_float(row["fp16_bf16_dense_tflops"]),
                # SSKAI scored accelerators missing from its table as 0; keep that for the baseline.
                seed_benchmark_score=_float(row["seed_benchmark_score"]) or 0.0,
            )
            for row in csv.DictReader(fh)
        }
    with open(data_dir / "cpu_instances.csv", newline="") as fh:
        cpu_offers = tuple(cpu_offer(row) for row in csv.DictReader(fh))
    pricing = json.loads((data_dir / "serverless_pricing.json").read_text())
    serverless = pricing["aws_lambda"]
    aws_lambda = LambdaPricing(
        usd_per_gb_second=serverless["usd_per_gb_second_x86"],
        usd_per_million_requests=serverless["usd_per_million_requests"],
        memory_mb_min=serverless["memory_mb_min"],
        memory_mb_max=serverless["memory_mb_max"],
        timeout_seconds_max=serverless["timeout_seconds_max"],
        image_gb_max=serverless["container_image_gb_max"],
        sagemaker_serverless_usd_per_gb_second=pricing["sagemaker_serverless_inference"]["usd_per_gb_second"],
    )
    ondemand = {(o.instance_type, o.region): o.ondemand_usd_per_hour for o in (*offers, *cpu_offers)}
    return Catalog(
        offers=offers,
        accelerators=accelerators,
        cpu_offers=cpu_offers,
        aws_lambda=aws_lambda,
        sagemaker=load_sagemaker_pricing(data_dir / "sagemaker_pricing.json", ondemand),
        source="snapshot 2025-11-30 (ec2instances.info via tsaol/aws-gpu)",
    )
