"""Catalog refresh through boto3 (moto, and botocore Stubbers where moto lacks an API), catalog versions,
the pricing-refresh flow, and NodePools that validate against the Karpenter CRD schemas."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from sskai.catalog import load_catalog
from sskai.catalog.versions import refresh_catalog
from sskai.clusters.nodepools import elect_pools, update_nodepools
from sskai.store.metadata import ElectionRecord
from tests.helpers import ROOT, validate_manifests


def test_nodepools_are_rewritten_only_when_the_answer_changes(stores, tmp_path: Path) -> None:
    output = tmp_path / "nodepools.yaml"
    catalog, version = refresh_catalog(stores, ("us-east-1",), live=False)
    first = update_nodepools(stores, version, catalog, "us-east-1", output)
    written = output.read_text()
    second = update_nodepools(stores, version, catalog, "us-east-1", output)
    assert first.changed and not second.changed and second.diff == {}
    assert output.read_text() == written
    # The cheapest 24 GiB pool loses its spot market: the election must move and say what moved.
    pool = first.pools["sskai-gpu-24g"]
    gone = pool[0]
    cheaper = replace(
        catalog, offers=tuple(o for o in catalog.offers if not (o.instance_type == gone and o.region == "us-east-1"))
    )
    third = update_nodepools(stores, version, cheaper, "us-east-1", output)
    assert third.changed and gone in third.diff["sskai-gpu-24g"]["removed"]
    assert gone not in output.read_text().split("sskai-gpu-24g")[1].split("---")[0]
    assert [r.changed for r in stores.metadata.list(ElectionRecord)] == [True, False, True]


def test_the_schema_check_rejects_a_broken_nodepool() -> None:
    _, manifests = elect_pools(load_catalog(), "us-east-1")
    broken = json.loads(json.dumps(manifests))
    broken[1]["spec"]["template"]["spec"]["requirements"][0]["operator"] = "Sometimes"
    del broken[2]["spec"]["template"]["spec"]["nodeClassRef"]
    checked = validate_manifests(broken)
    assert checked.returncode == 1
    assert "must be equal to one of the allowed values" in checked.stdout
    assert "must have required property nodeClassRef" in checked.stdout


def test_committed_nodepools_match_the_snapshot_election() -> None:
    committed = list(yaml.safe_load_all((ROOT / "infra" / "karpenter" / "nodepools.yaml").read_text()))
    _, fresh = elect_pools(load_catalog(), "us-east-1")
    assert committed == json.loads(json.dumps(fresh))
    assert validate_manifests(committed).returncode == 0
