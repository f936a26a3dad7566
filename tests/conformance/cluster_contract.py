"""The Cluster contract, checked in a process of its own (a fresh Ray driver).

``python -m tests.conformance.cluster_contract NAME``

Exits 0 when the cluster starts, holds what its plan asked for, tells its listeners of every node
that comes and goes, and leaves nothing running when stopped; else prints what broke and exits 1.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sskai.clusters.base import Cluster, ClusterPlan, NodeChange, open_cluster
from sskai.ownership.scratch import processes_under
from sskai.settings import Settings


def check(name: str, home: Path) -> list[str]:
    problems: list[str] = []
    settings = Settings(home=home, cluster=name)
    plan = ClusterPlan.unpriced(2)
    cluster: Cluster = open_cluster(settings, plan)
    heard: list[tuple[NodeChange, str]] = []
    cluster.listeners.append(lambda change, run: heard.append((change, run.spec.slot)))
    with cluster:
        capacity = cluster.capacity()
        if capacity.cpus < len(plan.workers) or capacity.nodes < 1 + len(plan.workers):
            problems.append(f"capacity {capacity} does not hold the plan's {len(plan.workers)} workers and head")
        slots = {run.spec.slot for run in cluster.node_runs}
        if slots != {"head", "worker-0", "worker-1"}:
            problems.append(f"node_runs name slots {sorted(slots)}, not the plan's")
    if any(run.ended_at is None for run in cluster.node_runs):
        problems.append("stop() left node runs without an end")
    ups = sorted(slot for change, slot in heard if change is NodeChange.UP)
    downs = sorted(slot for change, slot in heard if change is NodeChange.DOWN)
    if ups != downs or len(ups) != 3:
        problems.append(f"listeners heard up {ups} and down {downs}")
    scratch = getattr(cluster, "scratch", None)
    if scratch is not None and processes_under(scratch):
        problems.append(f"processes outlived stop(): {processes_under(scratch)}")
    return problems


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as home:
        found = check(sys.argv[1], Path(home))
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
