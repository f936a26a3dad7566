"""The SpotPolicy contract, for every registered policy: the replay and the live controller decide alike.

Each hand-made world is played through both drivers: the replay engine, and the live path (the
local cloud's tick, the controller, the placement reconciling a recording cluster) on a fake clock:
the test plays each tick itself instead of waiting for the wall clock. The decision sequence, with
reasons, must be the same, and the recording cluster's workers must be where the replay's path says.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sskai.clusters.base import Cluster, ClusterCapacity, ClusterFeature, ClusterPlan, EndReason, NodeChange, NodeRun
from sskai.clusters.nodes import NodeSpec
from sskai.localcloud.simulation import CloudScript, SpotSimulation
from sskai.plans import PoolCandidate
from sskai.replay import Pool, ReplayJob, World, replay
from sskai.replay.engine import policy_job
from sskai.risk.model import PoolRisk
from sskai.settings import Settings
from sskai.spot.decisions import Where
from sskai.spot.policies import policy_named
from sskai.spot.policy import SpotPolicy
from sskai.training.spot_run import assemble

TICK = 360.0
GANG = 2
# Every policy sskai ships (a test module may register its own, which is not under contract here).
SHIPPED = [name for name in SpotPolicy.registry.names() if SpotPolicy.registry.get(name).__module__.startswith("sskai")]
PRIORS = (
    PoolRisk(0.05, 0.95, 0.5, "test", "hand-made"),
    PoolRisk(0.02, 0.98, 0.3, "test", "hand-made"),
    PoolRisk(0.10, 0.90, 1.0, "test", "hand-made"),
)


class RecordingCluster(Cluster):
    """A cluster that moves and reclaims nodes at once and records every change (the contract, no Ray)."""

    def __init__(self, plan: ClusterPlan) -> None:
        super().__init__(Settings(), plan)
        self.changes: list[tuple[str, str, str | None]] = []  # (what, slot, instance@region)
        self._count = 0

    @property
    def features(self) -> frozenset[ClusterFeature]:
        return frozenset({ClusterFeature.MOVE_NODES, ClusterFeature.SIMULATED_RECLAIM})

    def start(self) -> None:
        for spec in self.plan.workers:
            self._up(spec)

    def stop(self) -> None:
        for spec in self.plan.workers:
            if self.current(spec.slot):
                self._down(spec.slot, EndReason.STOPPED)

    def capacity(self) -> ClusterCapacity:
        return ClusterCapacity(cpus=len(self.plan.workers), gpus=0, nodes=len(self.plan.workers))

    def current(self, slot: str) -> NodeRun | None:
        for run in reversed(self.node_runs):
            if run.spec.slot == slot:
                return run if run.ended_at is None else None
        return None

    def place(self, slot: str, spec: NodeSpec) -> NodeRun:
        if self.current(slot):
            self._down(slot, EndReason.MOVED)
        return self._up(spec)

    def release(self, slot: str) -> NodeRun | None:
        return self._down(slot, EndReason.RELEASED) if self.current(slot) else None

    def drain(self, slot: str, deadline_epoch_seconds: float, message: str) -> NodeRun:
        self.changes.append(("drain", slot, message))
        run = self.current(slot)
        assert run is not None
        return run

    def kill(self, slot: str, reason: EndReason = EndReason.PREEMPTED) -> NodeRun:
        return self._down(slot, reason)

    def _up(self, spec: NodeSpec) -> NodeRun:
        self._count += 1
        run = NodeRun(spec, f"node-{self._count}", datetime.now(UTC))
        self.node_runs.append(run)
        self.changes.append(("up", spec.slot, f"{spec.instance_type}@{spec.zone or spec.region}"))
        self._tell(NodeChange.UP, run)
        return run

    def _down(self, slot: str, reason: EndReason) -> NodeRun:
        run = self.current(slot)
        assert run is not None
        run.ended_at, run.end_reason = datetime.now(UTC), reason
        self.changes.append((str(reason), slot, None))
        self._tell(NodeChange.DOWN, run)
        return run

    def on(self) -> Where | None:
        """Where the workers are, read from the nodes' specs (None: a mix, or none)."""
        specs = {self.current(w.slot).spec for w in self.plan.workers if self.current(w.slot)}
        if not specs:
            return Where()
        zones = {(s.spot, s.zone) for s in specs}
        if len(zones) != 1 or len(specs) != len(self.plan.workers):
            return None
        spot, zone = zones.pop()
        return Where(pool=ZONES.index(zone)) if spot else Where(on_demand=True)


ZONES = ("us-east-1a", "us-east-1b", "us-west-2a")


def hand_made(counts: list[list[int]], prices: tuple[float, ...] = (1.0, 1.2, 0.8), ticks: int = 60) -> World:
    pools = []
    for zone, series, price in zip(ZONES, counts, prices, strict=True):
        padded = np.array((series + [series[-1]] * ticks)[:ticks])
        pools.append(Pool(zone, zone[:-1], padded, np.full(ticks, price)))
    return World("hand-made", TICK, tuple(pools), 4.0, "us-east-1", "p3.2xlarge")


WORLDS = {
    # the cheapest pool (us-west-2a) falls below the gang at tick 3 for good; the others stay
    "cheapest lost for good": hand_made([[2], [2], [2, 2, 2, 1, 0]]),
    # every pool goes at tick 4; the first comes back at tick 9
    "all down, one back": hand_made([[2, 2, 2, 2, 0, 0, 0, 0, 0, 2], [2, 2, 2, 2, 0], [2, 2, 2, 2, 0]]),
    # a flapping cheapest pool, one node at a time, beside two steady ones
    "flapping": hand_made([[3], [3], [3, 2, 3, 1, 3, 2, 3, 3, 1, 3]]),
    # nothing at the start: the first decision waits or goes on demand
    "nothing at first": hand_made([[0, 0, 2], [0, 0, 0, 2], [0]]),
}
JOBS = {"tight": ReplayJob(1.2, 2.0, GANG, TICK, 20.0, TICK), "loose": ReplayJob(1.2, 5.0, GANG, TICK, 20.0, TICK)}


def live(name: str, world: World, job: ReplayJob) -> tuple[list, list[Where], RecordingCluster]:
    """The live path on a fake clock: each tick played by the test, the placement reconciled right after."""
    spec = policy_job(world, job, 0, PRIORS)
    candidates = tuple(
        PoolCandidate(
            instance_type=world.instance_type,
            region=pool.region,
            zone=pool.name,
            spot_usd_per_hour=float(pool.spot_usd_per_hour[0]),
            ondemand_usd_per_hour=world.ondemand_usd_per_hour,
        )
        for pool in world.pools
    )
    head = NodeSpec("head", "m5.large", "us-east-1", 0.1, 0.1, False, 0)
    workers = tuple(NodeSpec(f"worker-{i}", "p3.2xlarge", "us-east-1", 1.0, 4.0, True, 1) for i in range(GANG))
    cluster = RecordingCluster(ClusterPlan(head, workers))
    script = CloudScript(world, 0, PRIORS, notice_seconds=0.0)
    simulation = SpotSimulation(source="fixed", provisioning_seconds=0.0, notice_seconds=0.0, tick_seconds=TICK)
    run = assemble(script, spec, candidates, cluster, policy_named(name), simulation, lambda *a, **k: None)
    controller, placement, cloud = run.controller, run.placement, run.cloud
    cluster.reclaimed_at = set()
    cluster.listeners.append(
        lambda change, node: cluster.reclaimed_at.add(cloud.tick) if node.end_reason == EndReason.PREEMPTED else None
    )
    cluster.start()
    placement.adopt(controller.where)
    placement._reconcile()
    path, on = [controller.where], [cluster.on()]
    while controller.driver.progress.finished_at is None and cloud.tick < world.ticks - 1:
        cloud.tick += 1  # the fake clock: the next tick is due now
        cloud.play_tick()
        placement._reconcile()
        path.append(controller.where)
        on.append(cluster.on())
    records = [step.record for step in controller.steps if step.record is not None]
    return records, path, cluster, on


@pytest.mark.parametrize("job_name", sorted(JOBS))
@pytest.mark.parametrize("world_name", sorted(WORLDS))
@pytest.mark.parametrize("policy", SHIPPED)
def test_the_replay_and_the_live_controller_decide_alike(policy: str, world_name: str, job_name: str) -> None:
    world, job = WORLDS[world_name], JOBS[job_name]
    replayed = replay(policy_named(policy), world, job, 0, PRIORS, record=True)
    records, path, cluster, on = live(policy, world, job)
    ticks = len(replayed.path)
    assert path[:ticks] == list(replayed.path)
    assert [(r.kind, r.pool, r.reason) for r in records if r.at_hours < ticks * TICK / 3600] == [
        (r.kind, r.pool, r.reason) for r in replayed.timeline
    ]
    # The recording cluster's workers are where the controller put them, every tick.
    assert on[:ticks] == list(replayed.path)
    assert any(change[0] == "up" for change in cluster.changes)
    # The cloud reclaimed nodes at exactly the ticks at which the replay charged a preemption.
    assert len({t for t in cluster.reclaimed_at if t < ticks}) == replayed.preemptions
