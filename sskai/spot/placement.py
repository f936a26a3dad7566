"""Carrying a spot policy's decisions out on a cluster that can move nodes: the worker slots follow the target.

One thread reconciles the cluster's worker slots with the controller's latest target, as a
Kubernetes controller would: a slot on another pool (or on demand) is drained with a notice as
long as the new node takes to provision (the training checkpoints on it), then ended and started
again on the target; an empty slot is filled once its pool has room (a pool short of instances
leaves an elastic training smaller); a target of "waiting" ends every worker node. Each node is
labelled and billed as its pool's instance at the pool's price when it started, or on demand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sskai.clusters.base import Cluster, ClusterFeature
from sskai.clusters.nodes import NodeSpec
from sskai.plans import PoolCandidate
from sskai.spot.decisions import IDLE, Where

# How often the reconciler looks again without being told (a pool's room may have grown).
RECONCILE_SECONDS = 0.5


class ClusterPlacement:
    """``pools``: the candidates, by the policy's pool index; ``room(pool)``: how many instances it has now;
    ``price(pool)``: its spot price now; ``ondemand``: the instance on-demand nodes run as."""

    def __init__(
        self,
        cluster: Cluster,
        slots: tuple[str, ...],
        pools: tuple[PoolCandidate, ...],
        ondemand: PoolCandidate,
        room: Callable[[int], int],
        price: Callable[[int], float],
        provisioning_seconds: float,
        cpus: int = 1,
        gpus: int = 0,
    ) -> None:
        cluster.require(ClusterFeature.MOVE_NODES)
        self.cluster, self.slots, self.pools, self.ondemand = cluster, slots, pools, ondemand
        self.room, self.price, self.provisioning_seconds = room, price, provisioning_seconds
        self.cpus, self.gpus = cpus, gpus
        self.target: Where = IDLE
        self.where: dict[str, Where] = {}  # where each slot's current node runs
        self.reclaiming: set[str] = set()  # slots the cloud is taking: left alone until their node is gone
        self.errors: list[str] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="spot-placement", daemon=True)

    # ---- the controller's side ----

    def place(self, where: Where, reason: str) -> None:
        with self._lock:
            self.target = where
        self._wake.set()

    def adopt(self, where: Where) -> None:
        """The cluster started its workers on ``where``: record it as the slots' place and the target."""
        with self._lock:
            self.target = where
            for slot in self.slots:
                if self.cluster.current(slot) is not None:
                    self.where[slot] = where

    def spec(self, slot: str, where: Where) -> NodeSpec:
        """The node ``slot`` runs on at ``where``: the pool's instance at its price now, or on demand."""
        if where.on_demand:
            pool, usd, spot = self.ondemand, self.ondemand.ondemand_usd_per_hour, False
        else:
            assert where.pool is not None
            pool, usd, spot = self.pools[where.pool], self.price(where.pool), True
        return NodeSpec(
            slot=slot,
            instance_type=pool.instance_type,
            region=pool.region,
            usd_per_hour=usd,
            ondemand_usd_per_hour=pool.ondemand_usd_per_hour,
            spot=spot,
            cpus=self.cpus,
            gpus=self.gpus,
            zone=pool.zone,
        )

    def slots_on(self, pool: int) -> list[str]:
        """The slots whose node runs on ``pool`` now."""
        return [s for s in self.slots if self.where.get(s) == Where(pool=pool) and self.cluster.current(s)]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    # ---- the reconciler ----

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._reconcile()
            except Exception as exc:  # a failed start is tried again on the next round; the training goes on
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self._wake.wait(RECONCILE_SECONDS)
            self._wake.clear()

    def _reconcile(self) -> None:
        with self._lock:
            target = self.target
        if target.idle:
            for slot in self.slots:
                if self.cluster.current(slot) is not None and slot not in self.reclaiming:
                    self.cluster.release(slot)
            return
        wanted = self._wanted(target)
        if not wanted:
            return
        moving = [slot for slot in wanted if self.cluster.current(slot) is not None]
        deadline = time.time() + self.provisioning_seconds
        for slot in moving:  # announced as a preemption: the training saves, and Ray Train does not count a failure
            self.cluster.drain(slot, deadline, f"moving to {self._describe(target)}")
        if self._stop.wait(self.provisioning_seconds):
            return
        for slot in wanted:
            with self._lock:
                if self.target != target:
                    return  # the controller changed its mind while this was provisioning
            self.cluster.place(slot, self.spec(slot, target))
            self.where[slot] = target

    def _wanted(self, target: Where) -> list[str]:
        """The slots to (re)start on ``target``, as many as its pool has room for."""
        wanted = []
        room = None if target.pool is None else self.room(target.pool) - len(self.slots_on(target.pool))
        for slot in self.slots:
            if slot in self.reclaiming:
                continue
            if self.cluster.current(slot) is not None and self.where.get(slot) == target:
                continue
            if room is not None:
                if room <= 0:
                    break
                room -= 1
            wanted.append(slot)
        return wanted

    def _describe(self, where: Where) -> str:
        if where.on_demand:
            return f"on-demand {self.ondemand.instance_type}"
        assert where.pool is not None
        return self.pools[where.pool].name
