"""The closed vocabularies every layer shares: statuses, resource kinds, pricing kinds, serving kinds.

``StrEnum`` members are strings, so the database and JSON hold plain words, and the code never
compares against a bare literal.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    RESTARTING = "restarting"  # an endpoint whose process died, being started again by its supervisor
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def is_terminal(self) -> bool:
        """Nothing more will happen to a record in this state."""
        return self in {Status.SUCCEEDED, Status.FAILED, Status.STOPPED}


class ResourceKind(StrEnum):
    """What a cost record or a log line is about."""

    TRAINING = "training"
    ENDPOINT = "endpoint"
    PROFILE = "profile"
    UPLOAD = "upload"
    MODEL = "model"
    DATASET = "dataset"
    ELECTION = "election"


class PricingKind(StrEnum):
    """How a metered stretch was paid for."""

    SPOT = "spot"
    ON_DEMAND = "on_demand"
    SERVERLESS = "serverless"


class ServingKind(StrEnum):
    """Where a recommendation says to serve: a serverless function or always-on spot capacity."""

    SERVERLESS = "serverless"
    SPOT = "spot"
