"""The Cluster contract, for every registered cluster, each checked in a fresh process (see ``cluster_contract``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sskai.clusters.base import Cluster
from sskai.clusters.local import LocalRayCluster  # noqa: F401 - registers the local cluster, checked here
from tests.helpers import ROOT


@pytest.mark.usefixtures("local_clusters")
@pytest.mark.parametrize("name", Cluster.registry.names())
def test_a_cluster_starts_holds_its_plan_tells_of_its_nodes_and_stops(name: str) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "tests.conformance.cluster_contract", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
