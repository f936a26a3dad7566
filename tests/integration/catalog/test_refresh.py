"""Catalog refresh through boto3 (moto, and botocore Stubbers where moto lacks an API), catalog versions,
the pricing-refresh flow, and NodePools that validate against the Karpenter CRD schemas."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from sskai.catalog import load_catalog
from sskai.catalog.refresh import CPU_TYPES, fetch_live_catalog, spot_advisor
from sskai.catalog.versions import load_catalog_version, refresh_catalog
from sskai.errors import ConfigError
from sskai.serving.process import free_port
from sskai.store.metadata import CatalogVersion
from tests.helpers import DATA_DIR

DATA = DATA_DIR


@pytest.fixture(scope="module")
def advisor_url() -> Iterator[str]:
    """The Spot Advisor feed served over real HTTP on loopback."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA))
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/spot_advisor_sample.json"
    server.shutdown()


PRODUCT = json.dumps(
    {
        "product": {"attributes": {"instanceType": "x"}},
        "terms": {
            "OnDemand": {"T": {"priceDimensions": {"D": {"unit": "Hrs", "pricePerUnit": {"USD": "0.5260000000"}}}}}
        },
    }
)


class Ec2WithPlacementScores:
    """moto's EC2, plus a stubbed client for the one call moto does not implement."""

    def __init__(self, moto_client, stubbed_client) -> None:
        self._moto, self._stubbed = moto_client, stubbed_client

    def __getattr__(self, name: str):
        return getattr(self._moto, name)

    def get_spot_placement_scores(self, **kwargs):
        return self._stubbed.get_spot_placement_scores(**kwargs)


@pytest.fixture
def aws_clients(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    gpu_types = [
        t["InstanceType"]
        for page in ec2.get_paginator("describe_instance_types").paginate()
        for t in page["InstanceTypes"]
        if t.get("GpuInfo", {}).get("Gpus")
    ]
    cpu_types = [
        t["InstanceType"]
        for page in ec2.get_paginator("describe_instance_types").paginate(
            Filters=[{"Name": "instance-type", "Values": list(CPU_TYPES)}]
        )
        for t in page["InstanceTypes"]
    ]
    pricing = boto3.client("pricing", region_name="us-east-1")
    pricing_stub = Stubber(pricing)
    for _ in [*gpu_types, *cpu_types]:
        pricing_stub.add_response(
            "get_products",
            {"PriceList": [PRODUCT], "FormatVersion": "aws_v1"},
            {"ServiceCode": "AmazonEC2", "Filters": ANY, "MaxResults": 10},
        )
    priced = {p["InstanceType"] for p in ec2.describe_spot_price_history(InstanceTypes=gpu_types)["SpotPriceHistory"]}
    placement = boto3.client("ec2", region_name="us-east-1")
    placement_stub = Stubber(placement)
    for _ in priced:  # scores are asked only for types with a spot market
        placement_stub.add_response(
            "get_spot_placement_scores",
            {"SpotPlacementScores": [{"Region": "us-east-1", "Score": 7}]},
            {"InstanceTypes": ANY, "TargetCapacity": 1, "SingleAvailabilityZone": False, "RegionNames": ["us-east-1"]},
        )
    clients = {"pricing": pricing, "ec2": Ec2WithPlacementScores(ec2, placement)}
    with pricing_stub, placement_stub:
        yield (lambda service, region: clients[service]), gpu_types
        pricing_stub.assert_no_pending_responses()
        placement_stub.assert_no_pending_responses()


def test_spot_advisor_feed_is_parsed(advisor_url: str) -> None:
    advice = spot_advisor(advisor_url)
    assert advice[("us-east-1", "g4dn.xlarge")] == {"interruption": ">20%", "savings_pct": 70}
    assert advice[("us-east-1", "p3.2xlarge")]["interruption"] == "5-10%"
    assert ("us-east-1", "g4dn.xlarge") in advice and len(advice) == 3  # Windows prices are not ours


def test_live_catalog_from_the_aws_apis(aws_clients, advisor_url: str) -> None:
    client, gpu_types = aws_clients
    catalog = fetch_live_catalog(["us-east-1"], load_catalog(), advisor_url=advisor_url, client=client)
    assert {o.instance_type for o in catalog.offers} == set(gpu_types)
    t4 = catalog.offer("g4dn.xlarge", "us-east-1")
    assert (t4.accelerator, t4.accelerator_count, t4.accelerator_memory_gib_total) == ("NVIDIA T4", 1.0, 16.0)
    assert catalog.accelerator_spec(t4).accelerator == "NVIDIA T4"
    assert t4.ondemand_usd_per_hour == pytest.approx(0.526)
    assert t4.spot_avg_usd_per_hour == pytest.approx(0.00001)  # moto's spot price history
    assert t4.spot_interruption_frequency == ">20%" and t4.spot_placement_score == 7
    assert catalog.source.startswith("live AWS us-east-1")
    # CPU types are priced live too, spot included, for tiny models that need no GPU.
    small = catalog.offer("c5.large", "us-east-1")
    assert (small.accelerator_count, small.vcpus, small.memory_gib) == (0.0, 2, 4.0)
    assert small.ondemand_usd_per_hour == pytest.approx(0.526) and small.spot_avg_usd_per_hour is not None
    assert {o.instance_type for o in catalog.cpu_offers} <= set(CPU_TYPES)


def test_no_credentials_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ConfigError, match="no AWS credentials found"):
        fetch_live_catalog(["us-east-1"], load_catalog(), session=boto3.Session())


def test_catalog_versions_are_stored_and_read_back(stores, aws_clients, advisor_url: str) -> None:
    client, _ = aws_clients
    snapshot, first = refresh_catalog(stores, ("us-east-1",), live=False)
    live, second = refresh_catalog(stores, ("us-east-1",), live=True, advisor_url=advisor_url, client=client)
    assert (first.live, second.live) == (False, True)
    assert first.offer_count == 1127 and second.offer_count == len(live.offers)
    assert load_catalog_version(stores, first).offers == snapshot.offers
    assert load_catalog_version(stores, second).offers == live.offers
    assert [v.id for v in stores.metadata.list(CatalogVersion)] == [first.id, second.id]
