"""Launch one training run on a Ray cluster and return what it produced.

Checkpoints live in the artifact store (Ray Train storage): a run restarted under the same name
(a Prefect retry on a fresh cluster) resumes from the newest registered checkpoint there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ray
import ray.train
from ray.train.torch import TorchTrainer
from ray.train.v2.api.callback import UserCallback

from sskai.clusters import Cluster
from sskai.errors import ClusterLost, TrainingFailed
from sskai.kinds import EventKind, LogLevel, ResourceKind
from sskai.settings import ArtifactLocation
from sskai.store.artifacts import ArtifactStore
from sskai.store.metadata import MetadataStore, Training
from sskai.training.checkpoints import MANIFEST, WEIGHTS, read_manifest, sibling_checkpoint_folders
from sskai.training.job import TrainingJob
from sskai.training.loop import train_loop_per_worker
from sskai.training.report import CheckpointTrigger, WorkerOutcome, WorkerReport
from sskai.training.timeline import record_event

# An elastic run checks this often whether returned nodes let it grow back (Ray's default: 60 s).
ELASTIC_RESIZE_SECONDS = 10.0
# The newest checkpoint, and two to fall back to should it be torn or corrupt.
CHECKPOINTS_KEPT = 3


@dataclass(frozen=True)
class TrainingOutcome:
    metrics: dict[str, float | int]  # the final report's summary: loss, time, epoch, validation, step
    history: list[dict[str, Any]]
    weights_key: str
    checkpoint_url: str
    resumed_from_step: int | None


class ProgressToMetadata(UserCallback):
    """Runs in the Ray Train controller: writes each report to the training record, for the flow and the CLI."""

    def __init__(self, database_url: str, training_id: str, attempt: int | None = None) -> None:
        self.database_url = database_url
        self.training_id = training_id
        self.attempt = attempt
        self._store: MetadataStore | None = None
        self._owner: str | None = None
        self._told_fallback = False
        self._group_started: float | None = None

    def _metadata(self) -> tuple[MetadataStore, str]:
        """The store (opened in this controller process on first use) and the training's owner, read once."""
        if self._store is None or self._owner is None:
            self._store = MetadataStore(self.database_url)
            self._owner = self._store.get(Training, self.training_id).owner
        return self._store, self._owner

    def after_report(self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Any) -> None:
        if not (metrics and metrics[0]):
            return  # a step at which no written checkpoint was ready: nothing to tell
        store, _ = self._metadata()
        report = WorkerReport.from_ray(metrics[0])
        record = store.get(Training, self.training_id)
        history = [*record.history, report.summary()] if report.epoch is not None else list(record.history)
        store.update(Training, self.training_id, progress=report.progress, metrics=report.summary(), history=history)
        first_step_at = report.group_first_step_at
        if first_step_at and first_step_at != self._group_started:  # a (re)started worker group is training
            self._group_started = first_step_at
            self._event(EventKind.RESUMED, first_step_at=first_step_at, from_step=report.resumed_from_step)
        if checkpoint is not None:
            self._event(
                EventKind.CHECKPOINT,
                step=report.global_step,
                trigger=report.trigger or CheckpointTrigger.EPOCH,
                snapshot_at=report.snapshot_at,
                path=getattr(checkpoint, "path", None),
            )
        if report.skipped_checkpoints and not self._told_fallback:
            self._told_fallback = True
            self._log(
                f"resumed from step {report.resumed_from_step}: the newest {report.skipped_checkpoints} "
                "checkpoint(s) were torn or corrupt and were skipped"
            )

    def after_exception(self, run_context: Any, worker_exceptions: dict[int, Exception]) -> None:
        """A worker died or raised: Ray Train restarts the group from the newest checkpoint; keep a trace."""
        ranks = ", ".join(str(rank) for rank in sorted(worker_exceptions))
        first = next(iter(worker_exceptions.values()), None)
        self._event(EventKind.RESTART, ranks=sorted(worker_exceptions), error=f"{type(first).__name__}: {first}")
        self._log(
            f"worker error on rank(s) {ranks}: {type(first).__name__}: {first}; restarting from the newest checkpoint"
        )

    def _event(self, kind: EventKind, **detail: Any) -> None:
        store, owner = self._metadata()
        record_event(store, owner, self.training_id, kind, attempt=self.attempt, **detail)

    def _log(self, message: str) -> None:
        store, owner = self._metadata()
        store.log(owner, ResourceKind.TRAINING, self.training_id, message, LogLevel.WARNING)


def storage_location(location: ArtifactLocation) -> tuple[str, Any]:
    """Ray Train storage path (and filesystem) for checkpoints inside the artifact store."""
    parsed = urlparse(location.url)
    if parsed.scheme == "file":
        return str(Path(parsed.path) / "checkpoints"), None
    if parsed.scheme == "s3":
        import pyarrow.fs

        endpoint = urlparse(location.aws_endpoint_url or "")  # pyarrow wants host and scheme apart
        filesystem = pyarrow.fs.S3FileSystem(
            endpoint_override=endpoint.netloc or None, scheme=endpoint.scheme or "https", region=location.aws_region
        )
        return "/".join(part for part in (parsed.netloc, parsed.path.strip("/"), "checkpoints") if part), filesystem
    raise TrainingFailed(f"checkpoints cannot live in artifact store {location.url!r}")


def check_fits(job: TrainingJob, cluster: Cluster) -> None:
    """Refuse a job the cluster can never hold, instead of letting Ray wait for it forever."""
    capacity = cluster.capacity()
    workers = job.config.num_workers
    if job.config.use_gpu and workers > capacity.gpus:
        raise TrainingFailed(f"{workers} GPU workers asked for, but the cluster has {capacity.gpus:g} GPUs")
    if workers > capacity.cpus:
        raise TrainingFailed(
            f"{workers} workers asked for, but the cluster has {capacity.cpus:g} CPUs on {capacity.nodes} node(s); "
            f"each worker needs one: ask for at most {int(capacity.cpus)}"
        )


def run_training(
    job: TrainingJob, cluster: Cluster, store: ArtifactStore, database_url: str, attempt: int | None = None
) -> TrainingOutcome:
    """Run ``job`` on the started ``cluster``; the weights of its last checkpoint go into ``store``."""
    check_fits(job, cluster)
    config, training_id = job.config, job.training_id
    storage_path, filesystem = storage_location(job.artifacts)
    trainer = TorchTrainer(
        train_loop_per_worker,
        train_loop_config=job.stored(),
        scaling_config=ray.train.ScalingConfig(
            num_workers=config.worker_range,
            use_gpu=config.use_gpu,
            elastic_resize_monitor_interval_s=ELASTIC_RESIZE_SECONDS,
        ),
        run_config=ray.train.RunConfig(
            name=f"training-{training_id}",
            storage_path=storage_path,
            storage_filesystem=filesystem,
            # Preemptions are counted apart from errors, and never run out: spot is expected to be reclaimed.
            failure_config=ray.train.FailureConfig(max_failures=config.max_failures, max_preemption_failures=-1),
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=CHECKPOINTS_KEPT),
            callbacks=[ProgressToMetadata(database_url, training_id, attempt)],
        ),
    )
    try:
        result = trainer.fit()
    except ray.train.TrainingFailedError as exc:
        raise ClusterLost(f"training failed after {config.max_failures} worker restarts: {exc}") from exc
    # A deterministic failure is what the training function returned (rank 0's return value).
    outcome = WorkerOutcome.model_validate(result.return_value or {})
    if outcome.failed:
        raise TrainingFailed(outcome.failed)
    if result.checkpoint is None or not result.metrics:
        raise TrainingFailed("training ended without a checkpoint")
    final = WorkerReport.from_ray(result.metrics)  # the report that came with the last checkpoint
    weights_key = f"trainings/{training_id}/{WEIGHTS}"
    with result.checkpoint.as_directory() as directory:
        manifest = read_manifest(Path(directory))
        store.put_file(weights_key, Path(directory) / WEIGHTS)
    _remove_other_checkpoints(result.checkpoint)
    return TrainingOutcome(
        metrics=final.summary(),
        history=list(manifest.history),
        weights_key=weights_key,
        checkpoint_url=result.checkpoint.path,
        resumed_from_step=final.resumed_from_step,
    )


def _remove_other_checkpoints(final: ray.train.Checkpoint) -> None:
    """Keep the newest complete checkpoints (the ones Ray keeps); remove torn and unregistered folders.

    A folder without a manifest was cut off mid-write (a lost node); one older than the newest
    complete ones was left by a restart that Ray never registered it for.
    """
    import pyarrow.fs

    parent, names = sibling_checkpoint_folders(final.path, final.filesystem)
    complete = [
        name
        for name in names
        if final.filesystem.get_file_info(f"{parent}/{name}/{MANIFEST}").type == pyarrow.fs.FileType.File
    ]
    keep = set(complete[:CHECKPOINTS_KEPT]) | {final.path.rstrip("/").rsplit("/", 1)[1]}
    for name in names:
        if name not in keep:
            final.filesystem.delete_dir(f"{parent}/{name}")
