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

    @property
    def is_serving(self) -> bool:
        """An endpoint in this state should be answering: it serves, or its supervisor is bringing it back."""
        return self in {Status.READY, Status.RESTARTING}


class ResourceKind(StrEnum):
    """What a cost record or a log line is about."""

    TRAINING = "training"
    ENDPOINT = "endpoint"
    PROFILE = "profile"
    UPLOAD = "upload"
    MODEL = "model"
    DATASET = "dataset"
    ELECTION = "election"


class EventKind(StrEnum):
    """What happened to a training, on its timeline."""

    ATTEMPT_STARTED = "attempt_started"
    ATTEMPT_ENDED = "attempt_ended"
    NODE_UP = "node_up"
    NODE_DOWN = "node_down"
    NOTICE = "notice"
    CAPACITY_LOST = "capacity_lost"
    CAPACITY_BACK = "capacity_back"
    CHECKPOINT = "checkpoint"
    RESTART = "restart"
    RESUMED = "resumed"
    SIMULATOR_ERROR = "simulator_error"
    DECISION = "decision"  # the spot policy moved the job, fell back to on demand, or waited, and why


class LogLevel(StrEnum):
    """How much a log line of a record matters: the dashboard shows what is above INFO."""

    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class PricingKind(StrEnum):
    """How a metered stretch was paid for."""

    SPOT = "spot"
    ON_DEMAND = "on_demand"
    SERVERLESS = "serverless"
    TRANSFER = "transfer"  # data moved to another region for a launch there


class ServingKind(StrEnum):
    """Where a recommendation says to serve: a serverless function or always-on spot capacity."""

    SERVERLESS = "serverless"
    SPOT = "spot"


class LedgerGrouping(StrEnum):
    """How the cost ledger rolls its records up."""

    DAY = "day"
    MONTH = "month"
    KIND = "kind"
    RESOURCE = "resource"  # one line per training or endpoint
