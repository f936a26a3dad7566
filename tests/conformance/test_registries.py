"""The pluggable parts: strict registries, and the Cluster and ServingTarget contracts' first implementations."""

from __future__ import annotations

import pytest

from sskai.clusters import Cluster, ClusterPlan, LocalRayCluster, open_cluster
from sskai.errors import ConfigError
from sskai.kinds import ServingKind
from sskai.registry import UnknownName
from sskai.serving.targets import LocalProcessTarget, ServingTarget, target_for
from sskai.settings import Settings
from sskai.store.artifacts import ArtifactStore, FileArtifactStore


@pytest.mark.parametrize(
    ("base", "name", "default"),
    [
        (Cluster, "local", LocalRayCluster),
        (ServingTarget, "local", LocalProcessTarget),
        (ArtifactStore, "file", FileArtifactStore),
    ],
)
def test_each_contract_has_its_first_implementation_as_default(base, name, default) -> None:
    assert base.registry.get() is default and base.registry.get(name) is default
    with pytest.raises(ConfigError, match="registered twice"):
        type("Impostor", (base,), {}, name=name)


def test_settings_pick_the_implementations(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SSKAI_HOME", str(tmp_path))
    assert isinstance(open_cluster(Settings(), ClusterPlan.unpriced(1)), LocalRayCluster)
    assert isinstance(target_for(Settings(), ServingKind.SERVERLESS), LocalProcessTarget)
    monkeypatch.setenv("SSKAI_CLUSTER", "kuberay")  # plugged in: imported when named
    assert type(open_cluster(Settings(), ClusterPlan.unpriced(1))).__name__ == "KubeRayCluster"
    monkeypatch.setenv("SSKAI_CLUSTER", "nomad")
    with pytest.raises(UnknownName, match="unknown cluster 'nomad'; choose one of: kuberay, local"):
        open_cluster(Settings(), ClusterPlan.unpriced(1))
    monkeypatch.setenv("SSKAI_SPOT_TARGET", "replicas")  # plugged in, as lambda is
    assert type(target_for(Settings(), ServingKind.SPOT)).__name__ == "ReplicatedTarget"
    monkeypatch.setenv("SSKAI_SERVERLESS_TARGET", "lambda")
    assert type(target_for(Settings(), ServingKind.SERVERLESS)).__name__ == "LambdaTarget"
    monkeypatch.setenv("SSKAI_SPOT_TARGET", "fargate")
    with pytest.raises(UnknownName, match="unknown serving target 'fargate'; choose one of: lambda, local, replicas"):
        target_for(Settings(), ServingKind.SPOT)
    monkeypatch.delenv("SSKAI_SERVERLESS_TARGET")
    assert isinstance(target_for(Settings(), ServingKind.SERVERLESS), LocalProcessTarget)
