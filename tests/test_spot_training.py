"""Spot training on a real multi-node local Ray cluster whose worker nodes are drained, killed and replaced.

Each training runs in a process of its own (``tests/spot_run.py``), which starts its own cluster
of separate ``ray start`` nodes: the tests kill nodes, the whole cluster, and that process itself.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sskai.clusters.nodes import SCRATCH_PREFIX
from sskai.kinds import Status
from sskai.scratch import OWNER_FILE, processes_under, scratch_root
from sskai.spot.simulation import ScheduledPreemption, SpotSimulation
from sskai.store.metadata import CostRecord, Training, TrainingAttempt
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training
from sskai.training.summary import training_summary
from sskai.training.timeline import EventKind, lost_work, timeline_frames, training_events, waiting_seconds
from sskai.upload import upload_dataset, upload_model

REPO = Path(__file__).resolve().parents[1]
# About a second an epoch here: long enough for every scheduled reclaim to land mid-training.
CONFIG = TrainingConfig(epochs=40, batch_size=16, learning_rate=0.003, checkpoint_every_steps=20, num_workers=2)


def spot_training(stores, example_zips, config: TrainingConfig = CONFIG) -> Training:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    training = create_training(stores, model, dataset, config, plan=None)
    # Elected g4dn.xlarge in us-east-1: the nodes are labelled and billed as that instance.
    return stores.metadata.update(Training, training.id, instance_type="g4dn.xlarge", region="us-east-1")


def run_training_process(training_id: str, simulation: SpotSimulation | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.spot_run", training_id]
    if simulation is not None:
        command.append(simulation.model_dump_json())
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen[bytes], timeout: float = 300) -> str:
    output, _ = process.communicate(timeout=timeout)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-3000:]
    return text


def clusters_of(process: subprocess.Popen[bytes]) -> list[Path]:
    """The scratch folders of the local clusters that ``process`` started and that still exist."""
    return [
        owner.parent
        for owner in scratch_root().glob(f"{SCRATCH_PREFIX}*/{OWNER_FILE}")
        if json.loads(owner.read_text())["owner_pid"] == process.pid
    ]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def assert_learned(record: Training, config: TrainingConfig) -> None:
    assert record.status == Status.SUCCEEDED, record.status_reason
    val = [epoch["val_loss"] for epoch in record.history]
    assert len(val) == config.epochs and val[-1] < val[0]


@pytest.mark.usefixtures("local_clusters")
def test_drained_and_killed_nodes_are_replaced_and_the_training_finishes(stores, example_zips) -> None:
    training = spot_training(stores, example_zips)
    simulation = SpotSimulation(
        source="fixed",
        provisioning_seconds=2,
        preemptions=(
            ScheduledPreemption(at_seconds=2, slot="worker-0", notice_seconds=6),  # the EC2 notice, scaled
            ScheduledPreemption(at_seconds=35, slot="worker-1", notice_seconds=0),  # gone without a word
        ),
    )
    process = run_training_process(training.id, simulation)
    finish(process)
    record = stores.metadata.get(Training, training.id)
    assert_learned(record, CONFIG)

    events = training_events(stores.metadata, training.id)
    kinds = [event.kind for event in events]
    assert kinds.count(EventKind.NOTICE) == 1
    downs = [e for e in events if e.kind == EventKind.NODE_DOWN and e.detail["reason"] == "preempted"]
    assert [e.slot for e in downs] == ["worker-0", "worker-1"]
    ups = [e for e in events if e.kind == EventKind.NODE_UP]
    assert [e.slot for e in ups].count("worker-0") == 2 and [e.slot for e in ups].count("worker-1") == 2
    # The notice was acted on: a checkpoint just in time, and the restart resumed from exactly it.
    [saved] = [e for e in events if e.kind == EventKind.CHECKPOINT and e.detail["trigger"] == "notice"]
    notice = next(e for e in events if e.kind == EventKind.NOTICE)
    assert notice.at.timestamp() < saved.detail["snapshot_at"] < downs[0].at.timestamp()  # saved before the kill
    resumes = [e.detail["from_step"] for e in events if e.kind == EventKind.RESUMED]
    assert saved.detail["step"] in resumes
    assert kinds.count(EventKind.RESTART) >= 1  # the unannounced kill is a worker failure Ray Train recovered from

    announced, unannounced = lost_work(events, CONFIG.num_workers)
    assert announced.announced and announced.lost_seconds == 0
    # An unannounced kill loses at most one checkpoint interval: the longest gap between two snapshots.
    snapshots = sorted(e.detail["snapshot_at"] for e in events if e.kind == EventKind.CHECKPOINT)
    interval = max(b - a for a, b in itertools.pairwise(snapshots))
    assert not unannounced.announced and 0 < unannounced.lost_seconds <= interval + 0.5
    assert waiting_seconds(events, 2) > 2  # each replacement took its provisioning delay at least

    costs = stores.metadata.list(CostRecord, resource_id=training.id)
    workers = [c for c in costs if c.pricing == "spot"]
    assert len(workers) == 4 and all(c.instance_type == "g4dn.xlarge" for c in workers)
    assert sum(c.detail["rework_seconds"] for c in workers) > 0
    assert sum(c.paid_usd for c in costs) < sum(c.baseline_usd for c in costs)
    assert clusters_of(process) == []  # the cluster is ended and its scratch folder removed
    run_dir = stores.settings.home / "artifacts" / "checkpoints" / f"training-{training.id}"
    folders = [p for p in run_dir.iterdir() if p.is_dir() and p.name.startswith("checkpoint_")]
    listing = {p.name: sorted(f.name for f in p.iterdir()) for p in folders}
    assert 1 <= len(folders) <= 3 and all("sskai_checkpoint.json" in files for files in listing.values()), listing

    summary = training_summary(stores, training.id)
    assert (summary.preemptions, summary.announced, summary.notice_checkpoints) == (2, 1, 1)
    assert summary.rework_worker_seconds == pytest.approx(2 * unannounced.lost_seconds)
    nodes, marks = timeline_frames(events)
    assert sorted(nodes["ended"]) == ["preempted", "preempted", "stopped", "stopped", "stopped"]
    assert "interruption notice" in set(marks["event"]) and "checkpoint (notice)" in set(marks["event"])


@pytest.mark.usefixtures("local_clusters")
def test_killed_train_processes_and_lost_clusters_are_reaped_and_resumed(stores, example_zips) -> None:
    """The train task dies (its nodes live on), then a whole cluster dies; ``sskai train --resume`` finishes."""
    config = CONFIG.model_copy(update={"epochs": 20})
    training = spot_training(stores, example_zips, config)

    def run_until_a_new_checkpoint() -> tuple[subprocess.Popen[bytes], Path]:
        before = len(training_events(stores.metadata, training.id))
        process = run_training_process(training.id)
        wait_for(
            lambda: any(e.kind == EventKind.CHECKPOINT for e in training_events(stores.metadata, training.id)[before:]),
            180,
            "a checkpoint",
        )
        [scratch] = clusters_of(process)
        return process, scratch

    process, orphaned = run_until_a_new_checkpoint()
    process.kill()  # the train task dies; its nodes live on, orphaned
    process.wait()
    assert processes_under(orphaned), "the cluster's nodes outlived the train task, as they would"

    process, scratch = run_until_a_new_checkpoint()  # the next run reaps the orphans, then resumes
    assert processes_under(orphaned) == [] and not orphaned.exists()
    for pid in processes_under(scratch):  # now every node goes, head included: the machine is gone
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.communicate(timeout=180)
    assert process.returncode != 0
    failed = stores.metadata.get(Training, training.id)
    assert failed.status == Status.FAILED and f"sskai train --resume {training.id}" in failed.status_reason

    resumed = subprocess.run(
        [str(REPO / ".venv" / "bin" / "sskai"), "train", "--resume", training.id],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert_learned(stores.metadata.get(Training, training.id), config)
    first, second, third = stores.metadata.list(TrainingAttempt, training_id=training.id)
    assert first.status == Status.FAILED and "is gone" in first.status_reason
    assert second.status == Status.FAILED and third.status == Status.SUCCEEDED
    assert third.resumed_from_step > 0
    assert processes_under(scratch) == [] and not scratch.exists()


@pytest.mark.usefixtures("local_clusters")
def test_an_elastic_training_goes_on_smaller_while_capacity_is_gone(stores, example_zips) -> None:
    config = CONFIG.model_copy(update={"epochs": 12, "min_workers": 1})
    training = spot_training(stores, example_zips, config)
    simulation = SpotSimulation(
        source="fixed",
        preemptions=(
            ScheduledPreemption(at_seconds=3, slot="worker-1", notice_seconds=5, capacity_back_after_seconds=None),
        ),
    )
    finish(run_training_process(training.id, simulation))
    assert_learned(stores.metadata.get(Training, training.id), config)
    events = training_events(stores.metadata, training.id)
    [loss] = lost_work(events, config.num_workers)
    assert loss.announced and loss.lost_seconds == 0  # saved on the notice, resumed on one worker
    assert [e.slot for e in events if e.kind == EventKind.NODE_UP].count("worker-1") == 1  # never replaced
    assert waiting_seconds(events, 2) > 5  # short of a node from the reclaim to the end


def test_lost_work_counts_from_the_state_the_group_resumed_from() -> None:
    """Fast: the rework figure from a hand-written timeline."""
    from datetime import UTC, datetime, timedelta

    from sskai.store.metadata import TrainingEvent

    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def event(seconds: float, kind: EventKind, slot: str | None = None, **detail) -> TrainingEvent:
        return TrainingEvent(at=t0 + timedelta(seconds=seconds), kind=kind, slot=slot, detail=detail)

    snapshot = (t0 + timedelta(seconds=10)).timestamp()
    events = [
        event(0, EventKind.ATTEMPT_STARTED),
        event(0, EventKind.NODE_UP, "worker-0"),
        event(0, EventKind.NODE_UP, "worker-1"),
        event(12, EventKind.CHECKPOINT, step=20, trigger="interval", snapshot_at=snapshot),
        event(16, EventKind.NODE_DOWN, "worker-1", reason="preempted"),
        event(16.5, EventKind.NODE_DOWN, "worker-0", reason="preempted"),  # the group is down already: no more lost
        event(20, EventKind.NODE_UP, "worker-1"),
        event(21, EventKind.NODE_UP, "worker-0"),
        event(25, EventKind.RESUMED, from_step=20, first_step_at=(t0 + timedelta(seconds=25)).timestamp()),
    ]
    [loss] = lost_work(events, workers=2)
    assert loss.lost_seconds == pytest.approx(6.0) and loss.worker_seconds == pytest.approx(12.0)
    assert waiting_seconds(events, worker_slots=2) == pytest.approx(5.0)
