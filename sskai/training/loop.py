"""The per-worker training loop that Ray Train runs on every worker of the cluster.

Deterministic: the train/validation split comes from the seed alone, so every worker (and every
restart) sees the same split. Resumes at the exact step from the newest checkpoint that verifies,
falling back past a torn or corrupt one. Every N steps rank 0 snapshots the state to CPU memory and
writes it in a background thread; the checkpoint is reported once written (epoch ends are written
at once). Failures in user code or a NaN loss end the run with a ``WorkerOutcome`` that says why,
which Ray hands back and nobody retries: retrying deterministic errors only burns money.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import ray.train
import ray.train.torch
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Subset, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from sskai.bundles.files import materialize_bundle
from sskai.bundles.loading import build_model, load_dataset
from sskai.bundles.objectives import compute_loss, make_optimizer
from sskai.bundles.spec import ModelSpec
from sskai.errors import BundleError, NotFound, StoredRecordInvalid, TrainingFailed
from sskai.store.artifacts import open_store
from sskai.training.checkpoints import (
    BackgroundWriter,
    LoopPosition,
    load_checkpoint,
    save_checkpoint,
    sibling_checkpoint_folders,
    take_snapshot,
)
from sskai.training.config import TrainingConfig
from sskai.training.job import TrainingJob
from sskai.training.notice import NoticeWatch
from sskai.training.report import CheckpointTrigger, WorkerOutcome, WorkerReport
from sskai.training.validation import metrics_of, split_indices, validation_totals


def train_loop_per_worker(stored_job: dict[str, Any]) -> dict[str, Any]:
    """Ray Train's training function; returns a ``WorkerOutcome`` (as a dict): empty, or why it stopped for good."""
    try:
        job = TrainingJob.from_stored(stored_job, "the training job Ray handed this worker")
    except StoredRecordInvalid as exc:
        return WorkerOutcome(failed=str(exc)).model_dump()
    torch.manual_seed(job.config.seed)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="sskai-train-") as scratch:  # the unpacked bundles go with the worker
        try:
            model, dataset = _prepare(job, Path(scratch))
        except (BundleError, TrainingFailed, NotFound) as exc:
            return WorkerOutcome(failed=str(exc)).model_dump()
        return _train(model, job.model_spec, dataset, job.config, Path(scratch)).model_dump()


def _prepare(job: TrainingJob, scratch: Path) -> tuple[torch.nn.Module, TensorDataset]:
    store = open_store(job.artifacts)
    model_root = materialize_bundle(store, job.model_key, scratch / "model")
    data_root = materialize_bundle(store, job.dataset_key, scratch / "data")
    x, y = load_dataset(data_root, job.dataset_spec)
    if tuple(x.shape[1:]) != tuple(job.model_spec.input_shape):
        raise TrainingFailed(
            f"dataset samples have shape {list(x.shape[1:])} but the model declares {list(job.model_spec.input_shape)}"
        )
    x = x.to(getattr(torch, job.model_spec.input_dtype))
    return build_model(model_root), TensorDataset(x, y)


def _train(
    model: torch.nn.Module, spec: ModelSpec, dataset: TensorDataset, config: TrainingConfig, scratch: Path
) -> WorkerOutcome:
    context = ray.train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    loss_name = config.loss or spec.default_loss
    train_idx, val_idx = split_indices(len(dataset), config.validation_fraction, config.seed)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.learning_rate)
    position, skipped = _resume(model, optimizer)
    position = position.rescaled(world)  # an elastic restart may run on fewer or more workers
    resumed_from_step, skipped_checkpoints = position.global_step, len(skipped)
    model = ray.train.torch.prepare_model(model)
    unwrapped = model.module if hasattr(model, "module") else model
    device = ray.train.torch.get_device()
    sampler = DistributedSampler(
        Subset(dataset, train_idx), num_replicas=world, rank=rank, shuffle=True, seed=config.seed
    )
    loader = DataLoader(Subset(dataset, train_idx), batch_size=config.batch_size, sampler=sampler, drop_last=False)
    steps_per_epoch = len(loader)
    started = time.monotonic()
    # Rank 0 writes checkpoints in the background; every rank reports a written one at the same step.
    writer = BackgroundWriter(scratch / "checkpoints") if rank == 0 else None
    watch = NoticeWatch(enabled=config.checkpoint_on_notice)
    first_step_at: float | None = None  # when this worker group finished its first step: recovery ends there

    def report(
        running: float, seen: int, trigger: CheckpointTrigger, epoch: int | None = None, **validation: float
    ) -> WorkerReport:
        """Where the run is now (the position as it stands) and how the model does."""
        return WorkerReport(
            global_step=position.global_step,
            epoch_position=position.epoch,
            progress=(position.epoch + position.step_in_epoch / steps_per_epoch) / config.epochs,
            elapsed_seconds=time.monotonic() - started,
            resumed_from_step=resumed_from_step,
            skipped_checkpoints=skipped_checkpoints,
            group_first_step_at=first_step_at,
            snapshot_at=time.time(),  # when the state this checkpoint holds was current
            trigger=trigger,
            epoch=epoch,
            model={"train_loss": running / max(seen, 1), **validation},
        )

    try:
        for epoch in range(position.epoch, config.epochs):
            sampler.set_epoch(epoch)
            model.train()
            running, seen = 0.0, 0
            for step, (inputs, targets) in enumerate(loader):
                if epoch == position.epoch and step < position.step_in_epoch:
                    continue  # already done before the checkpoint we resumed from
                inputs, targets = inputs.to(device), targets.to(device)
                optimizer.zero_grad(set_to_none=True)
                loss, error = _forward(model, loss_name, inputs, targets)
                # One collective per step, agreed by all workers: did user code raise, has a checkpoint
                # finished writing, the mean loss, and rank 0's calls on the preemption notice. A dead
                # peer makes it raise instead, which Ray Train treats as a failure to recover from.
                votes = [watch.vote_poll(), watch.vote_save()] if rank == 0 else [0.0, 0.0]
                raised, written, loss_sum, poll, save = _all_sum(
                    [1.0 if error else 0.0, 1.0 if writer and writer.done() else 0.0, _value(loss), *votes], device
                )
                where = f"at epoch {epoch + 1}, step {step + 1}"
                if raised:
                    reason = (
                        f"the model or its loss raised {error} {where}" if error else f"a worker's model failed {where}"
                    )
                    return WorkerOutcome(failed=reason)
                step_loss = loss_sum / world
                if not math.isfinite(step_loss):
                    return WorkerOutcome(failed=f"loss became {step_loss} {where}")
                loss.backward()
                optimizer.step()
                position.global_step += 1
                position.epoch, position.step_in_epoch = epoch, step + 1
                first_step_at = first_step_at or time.time()
                running += step_loss
                seen += 1
                if written:
                    _report_written(writer)
                if poll:
                    watch.poll()
                if save:  # the node goes soon: checkpoint now, in full, then wait for it to go
                    superseded = writer.wait() if writer is not None else None
                    if superseded is not None:
                        shutil.rmtree(superseded[0], ignore_errors=True)
                    timer = time.monotonic()
                    _report(model, optimizer, position, rank, report(running, seen, CheckpointTrigger.NOTICE))
                    watch.checkpoint_seconds = time.monotonic() - timer
                    watch.park_until_reclaimed(watch.saved())
                    continue
                due = position.global_step % config.checkpoint_every_steps == 0 and step + 1 < steps_per_epoch
                if due and writer is not None and not writer.busy:
                    interval = report(running, seen, CheckpointTrigger.INTERVAL).to_ray()
                    writer.start(take_snapshot(unwrapped, optimizer, position), interval)  # no copy while busy
            validation = _validate(model, dataset, val_idx, loss_name, spec, config, rank, world, device)
            position.epoch, position.step_in_epoch = epoch + 1, 0
            position.history.append({"epoch": epoch + 1, "train_loss": running / max(seen, 1), **validation})
            superseded = writer.wait() if writer is not None else None  # the epoch's checkpoint is written now, in full
            if superseded is not None:
                shutil.rmtree(superseded[0], ignore_errors=True)
            timer = time.monotonic()
            _report(
                model,
                optimizer,
                position,
                rank,
                report(running, seen, CheckpointTrigger.EPOCH, epoch + 1, **validation),
            )
            watch.checkpoint_seconds = time.monotonic() - timer
    finally:
        if writer is not None:
            writer.close()
    return WorkerOutcome()


def _value(loss: torch.Tensor | None) -> float:
    return float(loss.detach()) if loss is not None else 0.0


def _all_sum(values: list[float], device: torch.device) -> list[float]:
    """Element-wise sum over workers (the values themselves on a single worker)."""
    if not dist.is_initialized():
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def _report_written(writer: BackgroundWriter | None) -> None:
    """Report the checkpoint rank 0 finished writing (every rank calls this at the same step)."""
    finished = writer.finished() if writer is not None else None
    if finished is None:
        ray.train.report({}, checkpoint=None)
        return
    directory, metrics = finished
    ray.train.report(metrics, checkpoint=ray.train.Checkpoint.from_directory(str(directory)))
    shutil.rmtree(directory, ignore_errors=True)


def _forward(
    model: torch.nn.Module, loss_name: str, inputs: torch.Tensor, targets: torch.Tensor
) -> tuple[torch.Tensor | None, str | None]:
    """The step's loss, or what the user's model or the loss raised (deterministic: retrying will not help)."""
    try:
        return compute_loss(loss_name, model(inputs), targets), None
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _resume(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> tuple[LoopPosition, list[str]]:
    """Load the newest complete, verified checkpoint; a torn or corrupt one falls back to the one before.

    Returns the position to continue from and what was skipped (with why). With nothing usable the
    run starts over rather than load garbage.
    """
    newest = ray.train.get_checkpoint()
    skipped: list[str] = []
    if newest is None:
        return LoopPosition(), skipped
    for candidate in [newest, *_older_checkpoints(newest)]:
        try:
            with candidate.as_directory() as directory:
                return load_checkpoint(Path(directory), model, optimizer), skipped
        except (TrainingFailed, OSError) as exc:
            skipped.append(f"{candidate.path}: {exc}")
    return LoopPosition(), skipped


def _older_checkpoints(newest: ray.train.Checkpoint) -> list[ray.train.Checkpoint]:
    """The run's other checkpoint folders in storage, newest first."""
    parent, names = sibling_checkpoint_folders(newest.path, newest.filesystem)
    name = newest.path.rstrip("/").rsplit("/", 1)[1]
    return [ray.train.Checkpoint(f"{parent}/{base}", filesystem=newest.filesystem) for base in names if base < name]


def _report(
    model: torch.nn.Module, optimizer: torch.optim.Optimizer, position: LoopPosition, rank: int, report: WorkerReport
) -> None:
    with tempfile.TemporaryDirectory(prefix="sskai-ckpt-") as directory:
        checkpoint = None
        if rank == 0:
            unwrapped = model.module if hasattr(model, "module") else model
            save_checkpoint(Path(directory), unwrapped, optimizer, position)
            checkpoint = ray.train.Checkpoint.from_directory(directory)
        ray.train.report(report.to_ray(), checkpoint=checkpoint)


def _validate(
    model: torch.nn.Module,
    dataset: TensorDataset,
    val_idx: list[int],
    loss_name: str,
    spec: ModelSpec,
    config: TrainingConfig,
    rank: int,
    world: int,
    device: torch.device,
) -> dict[str, float]:
    """Loss (and accuracy for classifiers) on the shared validation split, sharded over workers."""
    if not val_idx:
        return {}
    totals = validation_totals(model, dataset, val_idx[rank::world], loss_name, spec.task, config.batch_size, device)
    if dist.is_initialized():
        dist.all_reduce(totals)
    return metrics_of(totals, spec.task)
