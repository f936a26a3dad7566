"""KubeRay: the rendered manifests against the vendored CRDs, and the client, the cluster and the spot
controller against a local server that plays the Kubernetes API (``tests/kubeapi.py``)."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest
import yaml
from kubernetes import client

from sskai.catalog import load_catalog
from sskai.clusters.base import ClusterPlan, open_cluster
from sskai.clusters.nodes import NodeSpec
from sskai.errors import ConfigError
from sskai.kuberay import schema
from sskai.kuberay.client import KubeRayApi, api_client
from sskai.kuberay.cluster import KubeRayCluster
from sskai.kuberay.manifests import ONDEMAND_GROUP, group_names, render_raycluster, render_raycluster_spec
from sskai.kuberay.placement import DECISION_ANNOTATION, KubeRayPlacement
from sskai.plans import PoolCandidate
from sskai.replay.world import Pool, World
from sskai.risk.model import PoolRisk
from sskai.settings import Settings
from sskai.spot.agent import ray_pod_ips
from sskai.spot.controller import History, SpotController
from sskai.spot.decisions import Where
from sskai.spot.policies import policy_named
from sskai.spot.policy import PolicyJob, PoolInfo
from tests.helpers import ROOT, validate_manifests
from tests.kubeapi import PlayedApi, played_kubernetes_api
from ui.kuberay_manifests import reference_manifests

NAMESPACE = "sskai"
FIRST = Where(pool=0)
CANDIDATES = (
    PoolCandidate(
        instance_type="g4dn.xlarge",
        region="us-east-1",
        zone="us-east-1a",
        spot_usd_per_hour=0.16,
        ondemand_usd_per_hour=0.526,
    ),
    PoolCandidate(instance_type="g5.xlarge", region="us-west-2", spot_usd_per_hour=0.30, ondemand_usd_per_hour=1.006),
)


@pytest.fixture
def played() -> PlayedApi:
    with played_kubernetes_api() as state:
        yield state


def api_for(played: PlayedApi) -> KubeRayApi:
    return KubeRayApi(api_client(played.url), NAMESPACE)


def raycluster(name: str = "training-t1", first: Where = FIRST) -> dict:
    spec = render_raycluster_spec(CANDIDATES, 2, first, "s3://bucket/sskai")
    return render_raycluster(name, NAMESPACE, spec, "t1")


def test_the_committed_manifests_are_the_rendering_and_match_the_crds() -> None:
    for file, fresh in reference_manifests(load_catalog()).items():
        committed = list(yaml.safe_load_all((ROOT / "infra" / "kuberay" / file).read_text()))
        assert committed == json.loads(json.dumps(fresh)), f"infra/kuberay/{file} is stale: re-render it"
        ray_objects = [m for m in committed if m["apiVersion"] == "ray.io/v1"]
        for manifest in ray_objects:
            assert schema.problems(manifest) == [], manifest["kind"]
        core = [m for m in committed if m["apiVersion"] != "ray.io/v1"]
        if core:  # the agent's DaemonSet and RBAC, against the Kubernetes schemas
            checked = validate_manifests(core)
            assert checked.returncode == 0, checked.stdout


def test_the_head_is_on_demand_and_each_pool_a_group() -> None:
    cluster = raycluster(first=Where(on_demand=True))
    spec = cluster["spec"]
    assert spec["headGroupSpec"]["template"]["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] == "on-demand"
    groups = {g["groupName"]: g for g in spec["workerGroupSpecs"]}
    assert list(groups) == list(group_names(CANDIDATES))
    assert [g["replicas"] for g in groups.values()] == [0, 0, 2]  # started on demand, as the decision said
    first = groups["spot-g4dn-xlarge-us-east-1a"]["template"]["spec"]["nodeSelector"]
    assert first == {
        "karpenter.sh/capacity-type": "spot",
        "node.kubernetes.io/instance-type": "g4dn.xlarge",
        "topology.kubernetes.io/zone": "us-east-1a",
    }
    # Only the head gets the database; the workers (user code) get the artifact store alone.
    head_env = {e["name"] for e in spec["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]}
    worker_env = {e["name"] for g in groups.values() for e in g["template"]["spec"]["containers"][0]["env"]}
    assert "SSKAI_DATABASE_URL" in head_env and worker_env == {"SSKAI_ARTIFACT_URL"}


def test_the_schema_check_names_what_is_wrong() -> None:
    broken = raycluster()
    broken["spec"]["workerGroupSpecs"][1]["replicas"] = "two"
    del broken["spec"]["headGroupSpec"]["template"]
    found = schema.problems(broken)
    assert "spec/headGroupSpec: 'template' is a required property" in found
    assert "spec/workerGroupSpecs/1/replicas: 'two' is not of type 'integer'" in found
    with pytest.raises(ConfigError, match=r"does not match the KubeRay v1\.7\.0 CRD"):
        schema.check(broken)


def test_the_client_creates_patches_and_deletes_against_the_played_api(played: PlayedApi) -> None:
    api = api_for(played)
    created = api.create(raycluster())
    assert created["metadata"]["resourceVersion"]
    with pytest.raises(ConfigError, match="409"):
        api.create(raycluster())
    api.set_replicas("training-t1", {"spot-g5-xlarge-us-west-2": 2, "spot-g4dn-xlarge-us-east-1a": 0}, {"why": "x"})
    stored = played.objects[("rayclusters", NAMESPACE, "training-t1")]
    assert [g["replicas"] for g in stored["spec"]["workerGroupSpecs"]] == [0, 2, 0]
    assert stored["metadata"]["annotations"] == {"why": "x"}
    with pytest.raises(ConfigError, match="no worker group nowhere"):
        api.set_replicas("training-t1", {"nowhere": 1})
    api.delete("RayCluster", "training-t1")
    api.delete("RayCluster", "training-t1")  # already gone is what was asked
    with pytest.raises(ConfigError, match="404"):
        api.get("RayCluster", "training-t1")
    methods = [(method, status) for method, _, status in played.requests]
    assert ("PATCH", 200) in methods and ("DELETE", 404) in methods


def test_the_played_api_refuses_a_body_that_breaks_the_crd(played: PlayedApi) -> None:
    """The server checks too: a body sent past sskai's own check (a raw client) gets the API server's 422."""
    broken = raycluster()
    broken["spec"]["workerGroupSpecs"][0]["minReplicas"] = "none"
    objects = client.CustomObjectsApi(api_client(played.url))
    with pytest.raises(client.rest.ApiException) as refused:
        objects.create_namespaced_custom_object("ray.io", "v1", NAMESPACE, "rayclusters", broken)
    assert refused.value.status == 422 and "minReplicas" in refused.value.body
    api_for(played).create(raycluster())
    bad_patch = [{"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": "many"}]
    with pytest.raises(ConfigError, match="422"):
        api_for(played).patch("RayCluster", "training-t1", bad_patch)


def test_the_kuberay_cluster_comes_up_when_the_operator_says_ready_and_goes(played: PlayedApi) -> None:
    head = NodeSpec("head", "m5.large", "us-east-1", 0.096, 0.096, spot=False, cpus=0)
    workers = tuple(NodeSpec(f"worker-{i}", "g4dn.xlarge", "us-east-1", 0.16, 0.526, True, 4, 1) for i in range(2))
    settings = Settings(artifact_url="s3://bucket/sskai", kube_api_url=played.url, kuberay_ready_seconds=20)
    cluster = open_cluster(
        settings.model_copy(update={"cluster": "kuberay"}), ClusterPlan(head, workers, "training-t2", CANDIDATES)
    )
    assert isinstance(cluster, KubeRayCluster)

    def operator() -> None:  # what KubeRay does: report the cluster ready once its pods run
        while ("rayclusters", NAMESPACE, "training-t2") not in played.objects:
            time.sleep(0.05)
        played.set_status(
            "rayclusters", NAMESPACE, "training-t2", {"state": "ready", "head": {"serviceIP": "10.0.0.7"}}
        )

    threading.Thread(target=operator, daemon=True).start()
    assert cluster.up() == "10.0.0.7"
    stored = played.objects[("rayclusters", NAMESPACE, "training-t2")]
    assert schema.problems(stored) == []
    assert (
        stored["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["resources"]["limits"][
            "nvidia.com/gpu"
        ]
        == "1"
    )
    cluster.down()
    assert ("rayclusters", NAMESPACE, "training-t2") not in played.objects

    on_files = KubeRayCluster(Settings(kube_api_url=played.url), ClusterPlan(head, workers, "t3", CANDIDATES))
    with pytest.raises(ConfigError, match="keeps checkpoints and artifacts on S3"):
        on_files.up()
    silent = KubeRayCluster(
        Settings(artifact_url="s3://b/p", kube_api_url=played.url, kuberay_ready_seconds=0.1),
        ClusterPlan(head, workers, "t4", CANDIDATES),
    )
    with pytest.raises(ConfigError, match="not ready after"):
        silent.up()


def test_the_spot_controller_moves_the_job_between_groups_by_replicas(played: PlayedApi) -> None:
    """One policy, a third driver: the live controller's decisions land as replica patches on the RayCluster."""
    api = api_for(played)
    api.create(raycluster())
    placement = KubeRayPlacement(api, "training-t1", group_names(CANDIDATES), workers=2)
    ticks, tick = 12, 600.0
    capacity = np.array([[2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2] * ticks])  # pool 0 gone after tick 1
    prices = np.array([[0.16] * ticks, [0.30] * ticks])
    world = World(
        "kuberay",
        tick,
        (Pool("a", "us-east-1", capacity[0], prices[0]), Pool("b", "us-west-2", capacity[1], prices[1])),
        0.526,
        "us-east-1",
        "g4dn.xlarge",
    )
    risk = PoolRisk(0.05, 0.95, 0.5, "test", "hand-made")
    job = PolicyJob(
        work_seconds=3 * 3600,
        deadline_seconds=6 * 3600,
        pools=(PoolInfo("a", "us-east-1", "g4dn.xlarge", risk), PoolInfo("b", "us-west-2", "g5.xlarge", risk)),
        ondemand_usd_per_hour=0.526,
        launch_usd=(0.0, 0.0, 0.0),
        gang=2,
        restart_seconds=360,
        checkpoint_interval_seconds=600,
        notice_checkpoints=True,
        tick_seconds=tick,
    )
    history = History(np.zeros((2, 0), dtype=np.int64), np.zeros((2, 0)), tick)
    controller = SpotController(policy_named("cheapest_fit"), job, history, placement)
    hits = world.preempts(2)
    for at in range(4):
        controller.tick(capacity[:, at], prices[:, at], hits[:, at])
    assert [where for where, _ in placement.placed] == [Where(pool=0), Where(pool=1)]
    stored = played.objects[("rayclusters", NAMESPACE, "training-t1")]
    assert {g["groupName"]: g["replicas"] for g in stored["spec"]["workerGroupSpecs"]} == {
        "spot-g4dn-xlarge-us-east-1a": 0,
        "spot-g5-xlarge-us-west-2": 2,
        ONDEMAND_GROUP: 0,
    }
    assert stored["metadata"]["annotations"][DECISION_ANNOTATION]  # the reason, where an admin reads it


def test_the_agent_finds_the_ray_pods_on_its_node(played: PlayedApi) -> None:
    def pod(name: str, node: str, ip: str, kind: str = "worker") -> dict:
        return {
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"ray.io/node-type": kind}},
            "spec": {"nodeName": node, "containers": [{"name": "ray-worker", "image": "x"}]},
            "status": {"podIP": ip},
        }

    played.pods += [pod("w1", "ip-1", "10.0.1.5"), pod("w2", "ip-2", "10.0.2.5"), pod("h", "ip-1", "10.0.1.9", "head")]
    assert ray_pod_ips(client.CoreV1Api(api_client(played.url)), NAMESPACE, "ip-1") == {"10.0.1.5"}
