"""The embedded default: a real Ray cluster of several nodes on this machine, or the one at ``SSKAI_RAY_ADDRESS``.

The head (on-demand: the driver and Ray Train's controller live there, so it has no CPUs for
training workers) and one node per elected spot worker run as separate ``ray start`` processes,
each labelled with its instance type, zone and price. The preemption simulator drains, kills and
replaces worker nodes through ``drain``, ``kill`` and ``replace``, as a cloud would.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import ray

from sskai.clusters.base import Cluster, ClusterCapacity, ClusterFeature, ClusterPlan, EndReason, NodeChange, NodeRun
from sskai.clusters.nodes import (
    LABEL_PREFIX,
    SCRATCH_PREFIX,
    NodeAccess,
    NodeSpec,
    free_port,
    start_node,
    wait_for_port,
)
from sskai.errors import ConfigError
from sskai.ownership.scratch import make_owned, reap_scratch
from sskai.processes import kill_session, poll
from sskai.settings import Settings
from sskai.store.metadata import utcnow

NODE_JOIN_SECONDS = 60.0


class LocalRayCluster(Cluster, name="local", default=True):
    """Starts the plan's nodes here; joins ``SSKAI_RAY_ADDRESS``; or uses the Ray this process already runs."""

    _connected = False
    scratch: Path | None = None
    address: str | None = None

    def __init__(self, settings: Settings, plan: ClusterPlan, access: NodeAccess | None = None) -> None:
        """``access``: what its nodes may touch; by default the settings' artifact store (see NodeAccess)."""
        super().__init__(settings, plan)
        self.access = access
        self._placed: dict[str, NodeSpec] = {}
        self._joined = False
        self._changes = threading.Lock()  # a reclaim and a placement never act on one slot at once

    @property
    def owns_nodes(self) -> bool:
        """Whether this object started the nodes (only then can it drain, kill and replace them)."""
        return self.scratch is not None

    @property
    def features(self) -> frozenset[ClusterFeature]:
        """Nodes it starts can be moved and reclaimed; a Ray it joins (a test session's, a notebook's, a
        remote one) is not its to change. Known before ``start``: a Ray already running, or an address."""
        joins = not self.owns_nodes and (ray.is_initialized() or bool(self.settings.ray_address) or self._joined)
        if joins:
            return frozenset()
        return frozenset({ClusterFeature.MOVE_NODES, ClusterFeature.SIMULATED_RECLAIM})

    def start(self) -> None:
        if ray.is_initialized() or self.settings.ray_address:
            # A cluster someone else runs (a test session's, a notebook's, a remote one): join, never end it.
            if not ray.is_initialized():
                ray.init(address=self.settings.ray_address, log_to_driver=False)
                self._connected = True
            self._joined = True
            self._assume_plan_nodes()
            return
        self.scratch = make_owned(SCRATCH_PREFIX)  # names this process: the next start reaps it if we die
        (self.scratch / "tmp").mkdir()
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            port = free_port()
            self._access = self.access or NodeAccess.for_settings(self.settings)
            head_access = self._access.for_head(self.settings)
            self._processes["head"] = start_node(self.plan.head, self.scratch, head_access, port=port)
            wait_for_port(port, NODE_JOIN_SECONDS)
            self.address = f"127.0.0.1:{port}"
            ray.init(address=self.address, _node_ip_address="127.0.0.1", log_to_driver=False)
            self._connected = True
            self._await_node("head")
            for spec in self.plan.workers:  # one at a time: raylets starting together on one host collide
                self._processes[spec.slot] = self._launch(spec.slot)
                self._await_node(spec.slot)
        except BaseException:
            self.stop()
            raise

    def _launch(self, slot: str) -> subprocess.Popen[bytes]:
        assert self.scratch is not None and self.address is not None
        return start_node(self.spec_of(slot), self.scratch, self._access, head_address=self.address)

    def spec_of(self, slot: str) -> NodeSpec:
        """What ``slot`` runs on now: the plan's node, or the pool it was placed on since."""
        return self._placed.get(slot) or self.plan.spec(slot)

    def _await_node(self, slot: str) -> NodeRun:
        """Wait for a node of ``slot`` that this cluster has not seen yet to join, and record it."""
        known = {run.node_id for run in self.node_runs}

        def joined() -> str | None:
            for node in ray.nodes():
                labels = node.get("Labels") or {}
                if node.get("Alive") and labels.get(f"{LABEL_PREFIX}/slot") == slot and node["NodeID"] not in known:
                    return node["NodeID"]
            process = self._processes.get(slot)
            if process is not None and process.poll() is not None:
                raise ConfigError(f"Ray node {slot} exited with {process.returncode}; see {self.scratch}/{slot}.log")
            return None

        node_id = poll(joined, NODE_JOIN_SECONDS)
        if node_id is not None:
            run = NodeRun(self.spec_of(slot), node_id, utcnow())
            self.node_runs.append(run)
            self._tell(NodeChange.UP, run)
            return run
        raise ConfigError(f"Ray node {slot} did not join within {NODE_JOIN_SECONDS:.0f} s")

    def _assume_plan_nodes(self) -> None:
        """On a cluster we did not start, bill the plan's nodes for as long as we use it."""
        now = utcnow()
        for spec in (self.plan.head, *self.plan.workers):
            run = NodeRun(spec, f"shared-{spec.slot}", now)
            self.node_runs.append(run)
            self._tell(NodeChange.UP, run)

    def current(self, slot: str) -> NodeRun | None:
        """The running node of ``slot``, if it has one now."""
        for run in reversed(self.node_runs):
            if run.spec.slot == slot:
                return run if run.ended_at is None else None
        return None

    def drain(self, slot: str, deadline_epoch_seconds: float, message: str) -> NodeRun:
        """Drain ``slot``'s node with reason PREEMPTION and a deadline, through the GCS (as the node agent does)."""
        run = self._owned_current(slot)
        from ray.core.generated import autoscaler_pb2

        accepted, why = ray._private.worker.global_worker.gcs_client.drain_node(
            run.node_id,
            autoscaler_pb2.DrainNodeReason.Value("DRAIN_NODE_REASON_PREEMPTION"),
            message,
            int(deadline_epoch_seconds * 1000),
        )
        if not accepted:
            raise ConfigError(f"the GCS refused to drain {slot} ({run.node_id[:8]}): {why}")
        return run

    def kill(self, slot: str, reason: EndReason = EndReason.PREEMPTED) -> NodeRun:
        """The node vanishes at once (the cloud reclaimed it); its processes get no chance to clean up."""
        with self._changes:
            run = self._owned_current(slot)
            kill_session(self._processes.pop(slot))
            run.ended_at, run.end_reason = utcnow(), reason
        self._tell(NodeChange.DOWN, run)
        return run

    def place(self, slot: str, spec: NodeSpec) -> NodeRun:
        """Start ``slot`` on a node of ``spec`` (another pool, or on demand), ending the node it has."""
        self.require(ClusterFeature.MOVE_NODES)
        if self.current(slot) is not None:
            self.kill(slot, EndReason.MOVED)
        with self._changes:
            self._placed[slot] = spec
            self._processes[slot] = self._launch(slot)
        return self._await_node(slot)

    def release(self, slot: str) -> NodeRun | None:
        """End ``slot``'s node, if it has one, and leave the slot empty."""
        self.require(ClusterFeature.MOVE_NODES)
        return self.kill(slot, EndReason.RELEASED) if self.current(slot) is not None else None

    def _owned_current(self, slot: str) -> NodeRun:
        run = self.current(slot)
        if not self.owns_nodes or run is None:
            raise ConfigError(f"slot {slot} has no node this process started")
        return run

    def stop(self) -> None:
        if self._connected and ray.is_initialized():
            ray.shutdown()  # only disconnects: the nodes are processes of their own
        self._connected = False
        now = utcnow()
        for run in self.node_runs:
            if run.ended_at is None:
                run.ended_at, run.end_reason = now, EndReason.STOPPED
                self._tell(NodeChange.DOWN, run)
        if self.scratch is None:
            return
        for slot in [s for s in self._processes if s != "head"] + [s for s in self._processes if s == "head"]:
            kill_session(self._processes.pop(slot))
        reap_scratch(self.scratch)  # agents that left the process groups, and every scratch file

    def capacity(self) -> ClusterCapacity:
        resources = ray.cluster_resources()
        alive = sum(1 for node in ray.nodes() if node.get("Alive"))
        return ClusterCapacity(nodes=alive, cpus=resources.get("CPU", 0.0), gpus=resources.get("GPU", 0.0))
