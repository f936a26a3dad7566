"""The local cloud: spot capacity per candidate pool, played on the wall clock against a local cluster.

It plays a ``CloudScript`` (one world of the replay's, see :mod:`sskai.localcloud.simulation`) tick by
tick: tick 0 before the cluster starts (the policy's first decision places the workers), the rest
from the first training step on. At each tick it does what a cloud does and nothing more: where a loss
in a pool hits the job's nodes there (``World.preempts``, the replay's own draws), it reclaims
them: a drain with the notice (Ray Train's ``get_preemption_info()`` sees it), then the kill at
the notice's end (at once when unannounced). Then it tells the controller what every pool offers
now. It never starts a node: replacements, moves and on-demand fallbacks are the controller's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sskai.clusters.base import Cluster, ClusterFeature
from sskai.kinds import EventKind
from sskai.localcloud.simulation import CloudScript
from sskai.spot.controller import SpotController
from sskai.spot.placement import ClusterPlacement

Note = Callable[..., None]  # (kind, slot, **detail): the training's timeline


class LocalCloud:
    def __init__(
        self,
        script: CloudScript,
        cluster: Cluster,
        placement: ClusterPlacement,
        controller: SpotController,
        gang: int,
        time_scale: float,
        note: Note,
        clock_starts: Callable[[], bool] = lambda: True,
    ) -> None:
        """``clock_starts``: the job's clock (tick 1 on) starts when it first says so (the first training step)."""
        cluster.require(ClusterFeature.SIMULATED_RECLAIM)
        self.script, self.cluster, self.placement, self.controller = script, cluster, placement, controller
        self.gang, self.time_scale, self.note, self.clock_starts = gang, time_scale, note, clock_starts
        self.hits = script.world.preempts(gang)
        self.tick = 0  # ticks played since the job started
        self._up: np.ndarray | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-cloud", daemon=True)
        self._timers: list[threading.Timer] = []
        self.errors: list[str] = []

    @property
    def tick_wall_seconds(self) -> float:
        return self.script.world.tick_seconds / self.time_scale

    def column(self, tick: int) -> int:
        """The world's column at the job's ``tick`` (the world's last once the job outlives it)."""
        return min(self.script.start_tick + tick, self.script.world.ticks - 1)

    def room(self, pool: int) -> int:
        return int(self.script.world.capacity[pool, self.column(self.tick)])

    def price(self, pool: int) -> float:
        return float(self.script.world.prices[pool, self.column(self.tick)])

    def play_tick(self) -> None:
        """The current tick: reclaim what a loss takes, say which pools came and went, step the controller."""
        world, at = self.script.world, self.script.start_tick + self.tick
        column = self.column(self.tick)
        counts, prices = world.capacity[:, column], world.prices[:, column]
        hit = self.hits[:, column] if at < world.ticks else np.zeros(len(world.pools), dtype=bool)
        self._tell_capacity(counts >= self.gang)
        for pool in range(len(world.pools)):
            self._reclaim(pool, int(counts[pool]), at, bool(hit[pool]))
        self.controller.tick(counts, prices, hit)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for timer in self._timers:
            timer.cancel()

    def _run(self) -> None:
        while not self.clock_starts():  # a trace counts from the first training step, not the cluster's start
            if self._stop.wait(0.2):
                return
        started = time.monotonic() - self.tick * self.tick_wall_seconds  # tick 0 was played before the cluster
        while not self._stop.is_set():
            self.tick += 1
            if self._stop.wait(max(0.0, started + self.tick * self.tick_wall_seconds - time.monotonic())):
                return
            try:
                self.play_tick()
            except Exception as exc:  # the simulation must not take the training down with it
                self.errors.append(f"{type(exc).__name__}: {exc}")
                self.note(EventKind.SIMULATOR_ERROR, None, error=f"{type(exc).__name__}: {exc}")

    def _tell_capacity(self, up: np.ndarray) -> None:
        if self._up is not None:
            for pool in np.flatnonzero(up != self._up):
                kind = EventKind.CAPACITY_BACK if up[pool] else EventKind.CAPACITY_LOST
                self.note(kind, None, pool=self.script.world.pools[pool].name)
        self._up = up.copy()

    def _reclaim(self, pool: int, count: int, at: int, hit: bool) -> None:
        """The job's nodes on ``pool`` beyond its count go; a loss that hit the job takes one at least."""
        on_pool = [slot for slot in self.placement.slots_on(pool) if slot not in self.placement.reclaiming]
        taken = max(len(on_pool) - count, 1 if hit else 0)
        if not on_pool or taken <= 0:
            return
        victim = self.script.victims.get((pool, at))
        order = ([victim] if victim in on_pool else []) + [s for s in reversed(on_pool) if s != victim]
        notice = self.script.notices.get((pool, at), self.script.notice_seconds) / self.time_scale
        for slot in order[:taken]:
            self._take(slot, notice)

    def _take(self, slot: str, notice: float) -> None:
        self.placement.reclaiming.add(slot)
        run = self.cluster.current(slot)
        if run is None:
            self.placement.reclaiming.discard(slot)
            return
        detail: dict[str, Any] = {"node_id": run.node_id, "deadline_seconds": notice}
        if notice <= 0:
            self._kill(slot, run.node_id)
            return
        self.cluster.drain(slot, time.time() + notice, f"spot interruption notice: reclaimed in {notice:.1f} s")
        self.note(EventKind.NOTICE, slot, **detail)
        timer = threading.Timer(notice, self._kill, (slot, run.node_id))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _kill(self, slot: str, node_id: str) -> None:
        try:
            run = self.cluster.current(slot)
            if run is not None and run.node_id == node_id:  # not moved or released meanwhile
                self.cluster.kill(slot)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.placement.reclaiming.discard(slot)
            self.placement.place(self.placement.target, "a reclaimed slot is free")
