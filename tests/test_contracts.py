"""The pluggable parts: strict registries, and the Cluster and ServingTarget contracts' first implementations."""

from __future__ import annotations

import pytest

from sskai.clusters import Cluster, ClusterPlan, LocalRayCluster, open_cluster
from sskai.errors import ConfigError
from sskai.kinds import ServingKind, Status
from sskai.registry import Registry, UnknownName
from sskai.serving.targets import LocalProcessTarget, ServingTarget, target_for
from sskai.settings import Settings
from sskai.store.artifacts import ArtifactStore, FileArtifactStore


def test_a_registry_refuses_duplicates_and_lists_names() -> None:
    registry: Registry[object] = Registry("widget")
    registry.add("a", int, default=True)
    registry.add("b", float)
    assert registry.get() is int and registry.get("b") is float and registry.names() == ["a", "b"]
    with pytest.raises(ConfigError, match="widget 'a' is registered twice"):
        registry.add("a", str)
    with pytest.raises(ConfigError, match="widget 'a' is already the default"):
        registry.add("c", str, default=True)
    with pytest.raises(UnknownName, match="unknown widget 'z'; choose one of: a, b"):
        registry.get("z")
    with pytest.raises(UnknownName, match="no default thing"):
        Registry("thing").get()


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
    monkeypatch.setenv("SSKAI_CLUSTER", "kuberay")
    with pytest.raises(UnknownName, match="unknown cluster 'kuberay'; choose one of: local"):
        open_cluster(Settings(), ClusterPlan.unpriced(1))
    monkeypatch.setenv("SSKAI_SPOT_TARGET", "replicas")
    with pytest.raises(UnknownName, match="unknown serving target 'replicas'"):
        target_for(Settings(), ServingKind.SPOT)
    assert isinstance(target_for(Settings(), ServingKind.SERVERLESS), LocalProcessTarget)


def test_statuses_know_when_they_are_final() -> None:
    assert {s for s in Status if s.is_terminal} == {Status.SUCCEEDED, Status.FAILED, Status.STOPPED}
    assert Status("ready") is Status.READY and Status.READY == "ready"
