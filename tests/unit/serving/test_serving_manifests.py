"""A replicated endpoint's manifests: spot replicas spread over the pools best first, the floor on demand, the
Service over all of them; each validated against the Kubernetes schemas, and the committed reference current."""

from __future__ import annotations

import yaml

from sskai.catalog import load_catalog
from sskai.clusters.labels import CAPACITY_TYPE, INSTANCE_TYPE, POOL_LABEL, ZONE
from sskai.plans import PoolCandidate
from sskai.serving.manifests import render_endpoint, spread
from sskai.serving.process import EndpointLimits
from sskai.settings import SandboxLimits
from tests.helpers import ROOT, validate_manifests
from ui.serving_manifests import reference_manifests

LIMITS = EndpointLimits(workers=1, timeout_seconds=30.0, sandbox=SandboxLimits())


def pool(zone: str, price: float, hazard: float) -> PoolCandidate:
    return PoolCandidate(
        instance_type="g4dn.xlarge",
        region="us-east-1",
        zone=zone,
        spot_usd_per_hour=price,
        ondemand_usd_per_hour=0.526,
        hazard_per_hour=hazard,
    )


def test_the_spot_policy_spreads_the_replicas_over_the_pools_cheapest_per_hour_served_first() -> None:
    flapping, steady, dear = (
        pool("us-east-1a", 0.10, 20.0),
        pool("us-east-1b", 0.20, 0.05),
        pool("us-east-1c", 0.40, 0.0),
    )
    # 20 reclaims an hour, each a two-minute restart: 0.10 buys a third of an hour served, 0.30 an hour.
    assert spread((flapping, steady, dear), 4) == {steady.name: 2, flapping.name: 1, dear.name: 1}
    by_price = {flapping.name: 2, steady.name: 1, dear.name: 1}
    assert spread((flapping, steady, dear), 4, policy="cheapest_fit") == by_price
    assert spread((steady,), 3) == {steady.name: 3} and spread((), 0) == {}


def test_each_pool_has_its_deployment_the_floor_is_on_demand_and_the_service_reaches_all() -> None:
    pools = (pool("us-east-1a", 0.2, 0.1), pool("us-east-1b", 0.25, 0.1))
    manifests = render_endpoint("demo", "sskai/endpoint:demo", '{"input_shape":[8]}', LIMITS, pools, 3, 1)
    deployments = [m for m in manifests if m["kind"] == "Deployment"]
    [service] = [m for m in manifests if m["kind"] == "Service"]
    selectors = [d["spec"]["template"]["spec"]["nodeSelector"] for d in deployments]
    assert [s[CAPACITY_TYPE] for s in selectors] == ["spot", "spot", "on-demand"]
    assert [s.get(ZONE) for s in selectors] == ["us-east-1a", "us-east-1b", None]
    assert selectors[2][INSTANCE_TYPE] == "g4dn.xlarge"
    assert [d["spec"]["replicas"] for d in deployments] == [2, 1, 1]
    assert all(
        service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items() for d in deployments
    )
    assert len({d["spec"]["template"]["metadata"]["labels"][POOL_LABEL] for d in deployments}) == 3
    pod = deployments[0]["spec"]["template"]["spec"]
    assert (
        pod["terminationGracePeriodSeconds"] == 120
        and pod["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/health"
    )
    assert "API_KEY" not in str(pod["containers"][0].get("env", ""))  # the key's hash comes from a Secret, on stdin
    checked = validate_manifests(manifests)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_committed_reference_is_the_rendering_and_validates() -> None:
    fresh = reference_manifests(load_catalog())
    committed = list(yaml.safe_load_all((ROOT / "infra" / "serving" / "endpoint.yaml").read_text()))
    assert committed == fresh, "infra/serving/endpoint.yaml is stale: run `sskai serving-manifests`"
    checked = validate_manifests(fresh)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = [{**fresh[0], "spec": {**fresh[0]["spec"], "replicas": "four"}}]
    assert validate_manifests(broken).returncode == 1  # the validator is not a rubber stamp
