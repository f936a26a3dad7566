"""A live catalog from AWS: instance specs, spot prices per AZ, on-demand prices, placement scores
and the public Spot Instance Advisor feed. Used when credentials exist; the snapshot is the fallback.

Every call goes through boto3 (so moto serves the tests) except the Advisor feed, which is a public
JSON document fetched over HTTP.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from sskai.catalog.catalog import Catalog, InstanceOffer
from sskai.errors import ConfigError

SPOT_ADVISOR_URL = "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json"
# The Price List API answers only in these two regions, whatever region is priced.
PRICING_API_REGION = "us-east-1"
# Spot prices move hourly; three hours of history gives every AZ at least one data point.
SPOT_HISTORY_HOURS = 3
# The CPU types priced live: small general-purpose and compute types that tiny models train and serve on.
CPU_TYPES = (
    "t3.small",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "c5.large",
    "c5.xlarge",
    "c5.2xlarge",
    "c6i.large",
    "c6i.xlarge",
    "c7i.large",
    "c7i.xlarge",
    "m7i.large",
    "m7i.xlarge",
)


def credentials_available(session: boto3.Session | None = None) -> bool:
    return (session or boto3.Session()).get_credentials() is not None


def gpu_instance_types(ec2: Any) -> list[dict[str, Any]]:
    """Every instance type in the region with accelerators (GpuInfo), straight from EC2."""
    types = []
    for page in ec2.get_paginator("describe_instance_types").paginate():
        types.extend(t for t in page["InstanceTypes"] if t.get("GpuInfo", {}).get("Gpus"))
    return types


def spot_prices(ec2: Any, instance_types: list[str], now: datetime) -> dict[str, list[float]]:
    """Latest Linux spot price per AZ, grouped by instance type."""
    latest: dict[tuple[str, str], tuple[datetime, float]] = {}
    paginator = ec2.get_paginator("describe_spot_price_history")
    for chunk in _chunks(instance_types, 100):
        pages = paginator.paginate(
            InstanceTypes=chunk,
            ProductDescriptions=["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
            StartTime=now - timedelta(hours=SPOT_HISTORY_HOURS),
            EndTime=now,
        )
        for page in pages:
            for item in page["SpotPriceHistory"]:
                key = (item["InstanceType"], item["AvailabilityZone"])
                if key not in latest or item["Timestamp"] > latest[key][0]:
                    latest[key] = (item["Timestamp"], float(item["SpotPrice"]))
    by_type: dict[str, list[float]] = {}
    for (instance_type, _zone), (_, price) in latest.items():
        by_type.setdefault(instance_type, []).append(price)
    return by_type


def ondemand_price(pricing: Any, instance_type: str, region: str) -> float | None:
    """Linux, shared tenancy, no pre-installed software: the price a spot node replaces."""
    filters = [
        {"Type": "TERM_MATCH", "Field": field, "Value": value}
        for field, value in (
            ("instanceType", instance_type),
            ("regionCode", region),
            ("operatingSystem", "Linux"),
            ("tenancy", "Shared"),
            ("preInstalledSw", "NA"),
            ("capacitystatus", "Used"),
        )
    ]
    response = pricing.get_products(ServiceCode="AmazonEC2", Filters=filters, MaxResults=10)
    for raw in response.get("PriceList", []):
        product = json.loads(raw) if isinstance(raw, str) else raw
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = float(dimension.get("pricePerUnit", {}).get("USD", "0") or 0)
                if usd > 0:
                    return usd
    return None


def placement_scores(ec2: Any, instance_types: list[str], regions: list[str]) -> dict[str, int]:
    """Spot placement score (1-10) per region for getting one of these types now."""
    response = ec2.get_spot_placement_scores(
        InstanceTypes=instance_types, TargetCapacity=1, SingleAvailabilityZone=False, RegionNames=regions
    )
    return {s["Region"]: int(s["Score"]) for s in response.get("SpotPlacementScores", [])}


def spot_advisor(url: str = SPOT_ADVISOR_URL, timeout_seconds: float = 20.0) -> dict[tuple[str, str], dict[str, Any]]:
    """(region, instance type) -> {"interruption": "<5%", "savings_pct": 70} from the public Advisor feed."""
    document = httpx.get(url, timeout=timeout_seconds).raise_for_status().json()
    labels = {r["index"]: r["label"] for r in document["ranges"]}
    advice = {}
    for region, systems in document["spot_advisor"].items():
        for instance_type, entry in systems.get("Linux", {}).items():
            advice[(region, instance_type)] = {"interruption": labels.get(entry["r"]), "savings_pct": entry.get("s")}
    return advice


def fetch_live_catalog(
    regions: Iterable[str],
    base: Catalog,
    session: boto3.Session | None = None,
    advisor_url: str = SPOT_ADVISOR_URL,
    now: datetime | None = None,
    client: Callable[[str, str], Any] | None = None,
) -> Catalog:
    """A catalog built from the AWS APIs for ``regions``; accelerator specs and serverless prices come from ``base``.

    ``client(service, region)`` makes the boto3 clients (the session's by default).
    """
    session = session or boto3.Session()
    if not credentials_available(session):
        raise ConfigError("no AWS credentials found (environment, profile or role); use the snapshot catalog")
    client = client or (lambda service, region: session.client(service, region_name=region))
    now = now or datetime.now(UTC)
    regions = list(regions)
    pricing = client("pricing", PRICING_API_REGION)
    try:
        advice = spot_advisor(advisor_url)
        offers = [
            offer for region in regions for offer in _region_offers(client("ec2", region), pricing, region, advice, now)
        ]
        cpu = [
            offer for region in regions for offer in _cpu_offers(client("ec2", region), pricing, region, advice, now)
        ]
    except NoCredentialsError as exc:
        raise ConfigError(f"AWS rejected the credentials: {exc}") from exc
    except (ClientError, BotoCoreError, httpx.HTTPError) as exc:
        raise ConfigError(f"live price refresh failed: {type(exc).__name__}: {exc}") from exc
    return replace(
        base,
        offers=tuple(offers),
        cpu_offers=tuple(cpu) or base.cpu_offers,
        source=f"live AWS {','.join(regions)} at {now:%Y-%m-%dT%H:%MZ}",
    )


def _cpu_offers(ec2: Any, pricing: Any, region: str, advice: dict, now: datetime) -> list[InstanceOffer]:
    """The CPU types of ``CPU_TYPES`` offered in ``region``, with spot and on-demand prices."""
    described = []
    for page in ec2.get_paginator("describe_instance_types").paginate(
        Filters=[{"Name": "instance-type", "Values": list(CPU_TYPES)}]
    ):
        described.extend(page["InstanceTypes"])
    spot = spot_prices(ec2, sorted(t["InstanceType"] for t in described), now) if described else {}
    offers = []
    for entry in described:
        name = entry["InstanceType"]
        ondemand = ondemand_price(pricing, name, region)
        if ondemand is None:
            continue
        prices = spot.get(name, [])
        offers.append(
            InstanceOffer(
                instance_type=name,
                family=name.split(".")[0],
                accelerator="",
                accelerator_count=0.0,
                accelerator_memory_gib_total=0.0,
                vcpus=entry["VCpuInfo"]["DefaultVCpus"],
                memory_gib=entry["MemoryInfo"]["SizeInMiB"] / 1024.0,
                region=region,
                ondemand_usd_per_hour=ondemand,
                **_spot_range(prices),
                spot_interruption_frequency=advice.get((region, name), {}).get("interruption"),
            )
        )
    return offers


def _region_offers(ec2: Any, pricing: Any, region: str, advice: dict, now: datetime) -> list[InstanceOffer]:
    types = gpu_instance_types(ec2)
    names = sorted(t["InstanceType"] for t in types)
    spot = spot_prices(ec2, names, now) if names else {}
    scores = {name: placement_scores(ec2, [name], [region]).get(region) for name in names if name in spot}
    offers = []
    for described in types:
        name = described["InstanceType"]
        gpu = described["GpuInfo"]["Gpus"][0]
        count = sum(g["Count"] for g in described["GpuInfo"]["Gpus"])
        prices = spot.get(name, [])
        advisor = advice.get((region, name), {})
        offers.append(
            InstanceOffer(
                instance_type=name,
                family=name.split(".")[0],
                accelerator=f"{gpu['Manufacturer']} {gpu['Name']}",
                accelerator_count=float(count),
                accelerator_memory_gib_total=described["GpuInfo"].get("TotalGpuMemoryInMiB", 0) / 1024.0,
                vcpus=described["VCpuInfo"]["DefaultVCpus"],
                memory_gib=described["MemoryInfo"]["SizeInMiB"] / 1024.0,
                region=region,
                ondemand_usd_per_hour=ondemand_price(pricing, name, region),
                **_spot_range(prices),
                spot_interruption_frequency=advisor.get("interruption"),
                spot_placement_score=scores.get(name),
            )
        )
    return offers


def _spot_range(prices: list[float]) -> dict[str, float | None]:
    """An offer's spot min/avg/max over its zones' latest prices (None without a spot market)."""
    return {
        "spot_min_usd_per_hour": min(prices) if prices else None,
        "spot_avg_usd_per_hour": statistics.fmean(prices) if prices else None,
        "spot_max_usd_per_hour": max(prices) if prices else None,
    }


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
