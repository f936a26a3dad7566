"""Replicas behind the router: preempted with and without notice while a bounded load runs, no request fails."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.load import Load
from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import model_spec
from sskai.bundles.upload import upload_model
from sskai.catalog import load_catalog
from sskai.costs.endpoint_metering import meter_endpoints
from sskai.kinds import LogLevel, ServingKind, Status
from sskai.processes import is_alive, wait_gone
from sskai.replay.world import Pool, World
from sskai.risk.model import PoolRisk
from sskai.serving.auth import hash_key
from sskai.serving.client import predict
from sskai.serving.fleet import FleetTarget
from sskai.serving.fleet_driver import drive_fleet, endpoint_notes
from sskai.serving.process import EndpointLimits
from sskai.serving.replicas import ReplicatedTarget
from sskai.serving.router import ReplicaSet
from sskai.serving.samples import sample_frame, sample_serving_endpoints
from sskai.serving.supervisor import supervise_once
from sskai.serving.targets import EndpointLaunch, LaunchConfig, target_named
from sskai.store.metadata import CostRecord, Endpoint, LogEntry
from sskai.store.stores import open_stores
from tests.helpers import ROOT

pytestmark = pytest.mark.integration
KEY = "replica-key"


def load(url: str, clients: int) -> Load:
    """Requests of four samples, back to back from ``clients`` clients."""
    body = json.dumps({"inputs": np.ones((4, 8)).tolist()}).encode()
    return Load(url, KEY, body, clients)


def replicated(stores, model, tmp_path: Path) -> tuple[ReplicatedTarget, Endpoint]:
    """A replicated endpoint of ``model``, deployed as the deploy would, and its record."""
    endpoint_id = uuid.uuid4().hex
    launch = EndpointLaunch(
        name="replicated",
        kind=ServingKind.SPOT,
        bundle_dir=materialize_bundle(stores.artifacts, model.artifact_key, tmp_path / "bundle"),
        spec=model_spec(model),
        weights=None,
        api_key_sha256=hash_key(KEY),
        workdir=stores.settings.endpoints_dir / endpoint_id,
        limits=EndpointLimits.of(stores.settings),
        endpoint_id=endpoint_id,
    )
    target = target_named("replicas", stores.settings)
    running = target.start(launch)
    record = stores.metadata.add(
        Endpoint(
            id=endpoint_id,
            owner=stores.settings.owner,
            name="replicated",
            model_id=model.id,
            kind=ServingKind.SPOT,
            runtime="replicas",
            url=running.url,
            pid=running.pid,
            api_key_sha256=hash_key(KEY),
            instance_type="g4dn.xlarge",  # what the plan chose: each replica is metered at its price
            region="us-east-1",
            status=Status.READY,
            launch=LaunchConfig(bundle_dir=str(launch.bundle_dir)).stored(),  # what a restart needs, as deploy keeps
        )
    )
    return target, record


def test_replicas_preempted_with_and_without_notice_fail_no_request(stores, example_zips, tmp_path: Path) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    target, record = replicated(stores, model, tmp_path)
    folder = target.folder(record.id)
    try:
        first, second = ReplicaSet.read(folder).replicas
        with load(record.url, clients=6) as sent:
            time.sleep(1.0)
            target.preempt(record, first.name, notice_seconds=None)  # the instance is gone mid-request
            time.sleep(1.0)
            target.preempt(record, second.name, notice_seconds=2.0)  # a two-second notice: drained first
            time.sleep(1.0)
        assert sent.failures == [], sent.failures[:3]
        assert sent.answers > 50
        state = httpx.get(f"{record.url}/router", timeout=5).json()
        assert state["failed"] == 0 and state["retries"] >= 1  # the replica gone without notice was retried
        assert {r["name"] for r in state["replicas"]}.isdisjoint({first.name, second.name})
        assert not is_alive(first.pid) and not is_alive(second.pid)
        assert httpx.get(f"{record.url}/health", timeout=5).json()["replicas"] == 2
        app = AppTest.from_file(str(ROOT / "ui" / "dashboard.py"), default_timeout=60).run()
        app.sidebar.radio[0].set_value("Inference").run()
        assert not app.exception
        shown = {m.label: m.value for m in app.metric}
        assert shown["Failed (seen by a client)"] == "0" and int(shown["Retried on another replica"]) >= 1
        assert sorted(app.dataframe[-1].value["state"]) == ["ready", "ready"]
        [reading] = meter_endpoints(stores, load_catalog())
        replicas = {r.name for r in ReplicaSet.read(folder).replicas}
        records = stores.metadata.list(CostRecord, resource_id=record.id)
        assert reading.alive and {c.detail["replica"] for c in records} == replicas  # one record per replica
        assert all(c.instance_type == "g4dn.xlarge" and c.paid_usd > 0 for c in records)
    finally:
        target.stop(record)
    assert not any(is_alive(r.pid) for r in ReplicaSet.read(folder).replicas)
    assert not is_alive(record.pid)


def test_a_pool_lost_for_good_is_replaced_by_another_pool_and_the_floor_with_no_failed_request(
    home: Path, example_zips, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pool a is reclaimed for good at tick 2: its replica is drained on the notice, pool b and on demand take over."""
    monkeypatch.setenv("SSKAI_ENDPOINT_REPLICAS", "1")  # the deploy's one replica; the fleet places its own
    stores = open_stores()
    full, gone = np.full(4, 4), np.array([4, 4, 0, 0])
    world = World(
        name="a-lost-for-good",
        tick_seconds=60.0,
        pools=(
            Pool("a", "us-east-1", gone, np.full(4, 0.1)),
            Pool("b", "us-east-1", np.minimum(full, 1), np.full(4, 0.2)),
        ),
        ondemand_usd_per_hour=0.5,
        home_region="us-east-1",
    )
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    target, record = replicated(stores, model, tmp_path)
    try:
        sample_serving_endpoints(stores, every_seconds=0)
        with load(record.url, clients=4) as sent:
            priors = [PoolRisk(0.05, 0.95, 0.5, "test", "hand-made")] * 2
            fleet = FleetTarget(spot_wanted=2, floor=1)
            notes = endpoint_notes(stores, record)
            run = drive_fleet(target, record, world, fleet, 0, 4, 60.0, priors, note=notes)
        sample_serving_endpoints(stores, every_seconds=0)
        assert sent.failures == [], sent.failures[:3]
        assert sent.answers > 50
        assert run.spot[0] == [1, 1] and run.spot[-1] == [0, 1]  # a's replica went, b holds what it can
        assert run.ondemand[0] == 1 and run.ondemand[-1] == 2  # the floor, then one for the spot shortfall
        assert run.preempted == 1 and any("lost with a" in reason for reason in run.reasons)
        assert any("replica 1: a:" in reason for reason in run.reasons)  # the spot policy's own words
        pools = sorted(r.pool for r in ReplicaSet.read(target.folder(record.id)).replicas)
        assert pools == ["b", "on-demand", "on-demand"]
        assert httpx.get(f"{record.url}/router", timeout=5).json()["failed"] == 0
        assert 0 < run.usd < run.ondemand_only_usd
        warned = [e for e in stores.metadata.list(LogEntry, resource_id=record.id) if e.level == LogLevel.WARNING]
        assert [e.message for e in warned] == ["fleet: 1 replica(s) lost with a"]  # the page marks it on the chart
        [later] = sample_frame(stores, record.id).to_dict("records")
        assert later["failed/s"] == 0 and later["requests/s"] > 0
        app = AppTest.from_file(str(ROOT / "ui" / "dashboard.py"), default_timeout=60).run()
        app.sidebar.radio[0].set_value("Inference").run()
        assert not app.exception
        assert "Retries, failures and preemptions" in [header.value for header in app.subheader]
    finally:
        target.stop(record)


def test_the_supervisor_replaces_a_dead_replica_and_restarts_a_dead_router_at_its_url(
    stores, example_zips, tmp_path: Path
) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    target, record = replicated(stores, model, tmp_path)
    folder = target.folder(record.id)
    try:
        first = ReplicaSet.read(folder).replicas[0]
        with load(record.url, clients=4) as sent:
            time.sleep(0.5)
            os.killpg(first.pid, signal.SIGKILL)  # a crash: no notice, no preemption, nobody told
            wait_gone(first.pid, 10)
            [line] = supervise_once(stores)
            time.sleep(0.5)
        assert f"replica {first.name}" in line and "replaced" in line
        assert sent.failures == [], sent.failures[:3]
        now = ReplicaSet.read(folder).replicas
        assert len(now) == 2 and first.name not in {r.name for r in now} and all(is_alive(r.pid) for r in now)
        events = [e.message for e in stores.metadata.list(LogEntry, resource_id=record.id)]
        assert any("died; replaced by" in message for message in events)

        os.killpg(record.pid, signal.SIGKILL)  # the router itself
        wait_gone(record.pid, 10)
        supervise_once(stores)
        again = stores.metadata.get(Endpoint, record.id)
        assert again.status == Status.READY and again.pid != record.pid and again.url == record.url
        assert {r.pid for r in ReplicaSet.read(folder).replicas} == {r.pid for r in now}  # replicas kept
        assert predict(again.url, KEY, np.ones((1, 8), np.float32)).shape == (1, 1)
        record = again
    finally:
        target.stop(stores.metadata.get(Endpoint, record.id))
    assert not any(is_alive(r.pid) for r in ReplicaSet.read(folder).replicas)
