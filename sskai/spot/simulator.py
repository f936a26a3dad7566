"""The preemption simulator: what a cloud does to spot nodes, done to the local cluster's nodes on a schedule.

For each ``PREEMPT`` it drains the slot's node with reason PREEMPTION and the notice's deadline
(Ray Train's ``get_preemption_info()`` sees it), kills the node's processes at the deadline (at once
when unannounced), and then leaves the slot empty until the schedule says capacity is back
(``CAPACITY``); a replacement node joins after the provisioning delay. Runs in a thread beside
the training, its clock starting when ``clock_starts`` first says so (the first training step);
every action is reported to ``on_action`` for the training's timeline.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sskai.clusters.local import LocalRayCluster
from sskai.spot.schedule import SpotEvent, SpotEventKind

# EC2 spot requests are usually fulfilled in about a minute; scaled like every other simulated time.
PROVISIONING_SECONDS = 60.0


@dataclass(frozen=True)
class SimulatorAction:
    kind: str  # "notice", "kill", "capacity_lost", "capacity_back", "replaced", "error"
    slot: str
    detail: dict[str, object] = field(default_factory=dict)


ActionListener = Callable[[SimulatorAction], None]


class PreemptionSimulator:
    """Plays ``events`` against ``cluster`` from ``start()``; ``stop()`` ends it (pending actions are dropped)."""

    def __init__(
        self,
        cluster: LocalRayCluster,
        events: list[SpotEvent],
        on_action: ActionListener,
        provisioning_seconds: float = PROVISIONING_SECONDS,
        clock_starts: Callable[[], bool] = lambda: True,
    ) -> None:
        if not cluster.owns_nodes:
            raise ValueError("the preemption simulator needs a cluster this process started")
        slots = {spec.slot for spec in cluster.plan.workers}
        unknown = {event.slot for event in events} - slots
        if unknown:
            raise ValueError(f"the schedule names slots {sorted(unknown)} the cluster does not have ({sorted(slots)})")
        self.cluster, self.on_action, self.provisioning_seconds = cluster, on_action, provisioning_seconds
        self.clock_starts = clock_starts
        # At one instant a reclaim comes before capacity coming back, whatever the names sort as.
        self._events = sorted(events, key=lambda e: (e.at_seconds, e.kind is not SpotEventKind.PREEMPT))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="preemption-simulator", daemon=True)
        self._capacity = dict.fromkeys(slots, True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self.clock_starts():  # schedules count from the first training step, not the cluster's start
            if self._stop.wait(0.2):
                return
        started = time.monotonic()
        order = itertools.count()  # ties in time keep schedule order
        pending: list[tuple[float, int, str, str, float]] = []  # (due, order, action, slot, notice seconds)
        for event in self._events:
            action = "preempt" if event.kind is SpotEventKind.PREEMPT else "capacity"
            heapq.heappush(pending, (started + event.at_seconds, next(order), action, event.slot, event.notice_seconds))
        while pending and not self._stop.is_set():
            due, _, action, slot, notice = pending[0]
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            heapq.heappop(pending)
            try:
                for delay, follow_up in self._act(action, slot, notice):
                    heapq.heappush(pending, (time.monotonic() + delay, next(order), follow_up, slot, 0.0))
            except Exception as exc:  # the simulation must not take the training down with it
                error = f"{type(exc).__name__}: {exc}"
                self.on_action(SimulatorAction("error", slot, {"action": action, "error": error}))

    def _act(self, action: str, slot: str, notice: float) -> list[tuple[float, str]]:
        """Do one action; returns follow-ups as (seconds from now, action)."""
        if action == "preempt":
            self._capacity[slot] = False
            if self.cluster.current(slot) is None:
                return []
            self.on_action(SimulatorAction("capacity_lost", slot))
            if notice <= 0:
                return [(0.0, "kill")]
            message = f"spot interruption notice: reclaimed in {notice:.1f} s"
            run = self.cluster.drain(slot, time.time() + notice, message)
            self.on_action(SimulatorAction("notice", slot, {"node_id": run.node_id, "deadline_seconds": notice}))
            return [(notice, "kill")]
        if action == "kill":
            if self.cluster.current(slot) is None:
                return []
            run = self.cluster.kill(slot)
            self.on_action(SimulatorAction("kill", slot, {"node_id": run.node_id}))
            return [(self.provisioning_seconds, "replace")] if self._capacity[slot] else []
        if action == "capacity":
            was_back = self._capacity[slot]
            self._capacity[slot] = True
            if not was_back:
                self.on_action(SimulatorAction("capacity_back", slot))
            return [(self.provisioning_seconds, "replace")] if self.cluster.current(slot) is None else []
        if action == "replace":
            if not self._capacity[slot] or self.cluster.current(slot) is not None:
                return []  # capacity went again while provisioning, or a node is already there
            run = self.cluster.replace(slot)
            self.on_action(SimulatorAction("replaced", slot, {"node_id": run.node_id}))
            return []
        raise ValueError(f"unknown simulator action {action!r}")
