"""The pluggable parts: strict registries, and the Cluster and ServingTarget contracts' first implementations."""

from __future__ import annotations

from sskai.kinds import Status


def test_statuses_know_when_they_are_final() -> None:
    assert {s for s in Status if s.is_terminal} == {Status.SUCCEEDED, Status.FAILED, Status.STOPPED}
    assert Status("ready") is Status.READY and Status.READY == "ready"
