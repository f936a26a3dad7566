"""What one training cost and what spot did to it, summed over all its attempts.

SkyPilot's cost report cannot sum a job across relaunches; this does.

Read from its per-node cost records and its timeline: paid, on demand for the same work, the
saving, worker-seconds thrown away to rework, time short of nodes, preemptions and checkpoints,
and what the spot policy decided (each decision with its reason), on-demand fallback and transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sskai.costs.ledger import describe_saving
from sskai.kinds import EventKind, PricingKind
from sskai.store.metadata import CostRecord, Training, TrainingAttempt
from sskai.store.stores import Stores
from sskai.training.config import TrainingConfig
from sskai.training.report import CheckpointTrigger
from sskai.training.timeline import PolicyDecision, lost_work, policy_decisions, training_events, waiting_seconds


@dataclass(frozen=True)
class TrainingSummary:
    training_id: str
    attempts: int
    paid_usd: float
    ondemand_usd: float  # the same work on on-demand nodes: no rework, no waiting
    node_seconds: float
    rework_worker_seconds: float  # training done again after preemptions, summed over workers
    waiting_seconds: float  # time with fewer worker nodes than planned
    preemptions: int
    announced: int
    checkpoints: int
    notice_checkpoints: int
    accelerator: str  # what a worker-second is: "GPU" on GPU nodes, "worker" otherwise
    ondemand_node_seconds: float = 0.0  # worker node-seconds on on-demand nodes (the policy's fallback)
    transfer_usd: float = 0.0  # data moved to other regions for launches there
    launches: int = 0  # where the spot policy (re)started the workers: a pool, or on demand
    decisions: tuple[PolicyDecision, ...] = ()

    @property
    def saving(self) -> str:
        return describe_saving(self.paid_usd, self.ondemand_usd, "on-demand nodes for the same work")


def training_summary(stores: Stores, training_id: str) -> TrainingSummary:
    record = stores.metadata.get(Training, training_id)
    config = TrainingConfig.model_validate(record.config)
    costs = stores.metadata.list(CostRecord, resource_id=training_id)
    events = training_events(stores.metadata, training_id)
    by_attempt: dict[int | None, list] = {}
    for event in events:
        by_attempt.setdefault(event.attempt, []).append(event)
    losses = [loss for part in by_attempt.values() for loss in lost_work(part, config.num_workers)]
    waiting = sum(waiting_seconds(part, config.num_workers) for part in by_attempt.values())
    checkpoints = [e for e in events if e.kind == EventKind.CHECKPOINT]
    decisions = policy_decisions(events)
    return TrainingSummary(
        training_id=training_id,
        attempts=len(stores.metadata.list(TrainingAttempt, training_id=training_id)),
        paid_usd=sum(c.paid_usd for c in costs),
        ondemand_usd=sum(c.alternative_usd for c in costs),
        node_seconds=sum(c.seconds for c in costs),
        rework_worker_seconds=sum(loss.worker_seconds for loss in losses),
        waiting_seconds=waiting,
        preemptions=len(losses),
        announced=sum(1 for loss in losses if loss.announced),
        checkpoints=len(checkpoints),
        notice_checkpoints=sum(1 for e in checkpoints if e.detail.get("trigger") == CheckpointTrigger.NOTICE),
        accelerator="GPU" if config.use_gpu else "worker",
        ondemand_node_seconds=sum(
            c.seconds for c in costs if c.pricing == PricingKind.ON_DEMAND and c.detail.get("slot") != "head"
        ),
        transfer_usd=sum(c.paid_usd for c in costs if c.pricing == PricingKind.TRANSFER),
        launches=sum(1 for d in decisions if d.decision in ("LaunchSpot", "LaunchOnDemand")),
        decisions=tuple(decisions),
    )
