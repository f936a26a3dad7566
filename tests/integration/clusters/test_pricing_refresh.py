"""Catalog refresh through boto3 (moto, and botocore Stubbers where moto lacks an API), catalog versions,
the pricing-refresh flow, and NodePools that validate against the Karpenter CRD schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.pricing_refresh import pricing_refresh_flow
from tests.helpers import validate_manifests


@pytest.mark.usefixtures("prefect_server")
def test_pricing_refresh_flow_writes_schema_valid_nodepools(home, tmp_path: Path) -> None:
    output = tmp_path / "pools.yaml"
    result = pricing_refresh_flow(cluster_region="us-east-1", live=False, output=str(output))
    assert result.changed is True
    manifests = list(yaml.safe_load_all(output.read_text()))
    assert {m["kind"] for m in manifests} == {"NodePool", "EC2NodeClass"}
    checked = validate_manifests(manifests)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("ok NodePool/") == len(manifests) - 1
    again = pricing_refresh_flow(cluster_region="us-east-1", live=False, output=str(output))
    assert again.changed is False
