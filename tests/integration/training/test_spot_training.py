"""Spot training on a real multi-node local Ray cluster: the local cloud reclaims, the spot policy decides.

Each training runs in a process of its own (``tests/spot_run.py``), which starts its own cluster
of separate ``ray start`` nodes: the tests kill nodes, the whole cluster, and that process itself."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sskai.bundles.upload import upload_dataset, upload_model
from sskai.clusters.nodes import SCRATCH_PREFIX
from sskai.kinds import EventKind, Status
from sskai.localcloud.simulation import PoolOutage, ScheduledPreemption, SpotSimulation
from sskai.ownership.scratch import OWNER_FILE, processes_under, scratch_root
from sskai.plans import TrainingPlan
from sskai.store.metadata import CostRecord, Training, TrainingAttempt
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training
from sskai.training.summary import training_summary
from sskai.training.timeline import lost_work, timeline_frames, training_events, waiting_seconds
from tests.builders import training_plan
from tests.helpers import ROOT

# About a second an epoch here: long enough for every scheduled reclaim to land mid-training.
CONFIG = TrainingConfig(epochs=40, batch_size=16, learning_rate=0.003, checkpoint_every_steps=20, num_workers=2)


def spot_training(stores, example_zips, config: TrainingConfig = CONFIG, plan: TrainingPlan | None = None) -> Training:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    if plan is not None:  # the nodes are labelled and billed as the plan's pools
        return create_training(stores, model, dataset, config, plan)
    training = create_training(stores, model, dataset, config, plan=None)
    # Elected g4dn.xlarge in us-east-1: the nodes are labelled and billed as that instance.
    return stores.metadata.update(Training, training.id, instance_type="g4dn.xlarge", region="us-east-1")


def run_training_process(training_id: str, simulation: SpotSimulation | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.spot_run", training_id]
    if simulation is not None:
        command.append(simulation.model_dump_json())
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


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


def decisions(events) -> list[tuple[str, str | None, str]]:
    return [
        (e.detail["decision"], e.detail["pool"], e.detail["reason"]) for e in events if e.kind == EventKind.DECISION
    ]


def trace_hours(events, since, until, time_scale: float) -> float:
    return (until.at - since.at).total_seconds() * time_scale / 3600


# A trace minute a wall second: the 120 s notice is 2 s, provisioning 1 s, the policy asked every second.
SCALED = {"time_scale": 60.0, "tick_seconds": 60.0, "provisioning_seconds": 60.0}


@pytest.mark.usefixtures("local_clusters")
def test_a_pool_lost_for_good_under_a_tight_deadline_finishes_on_demand_in_time(stores, example_zips) -> None:
    """sskai's policy meets the deadline on demand; ``baseline`` waits for its pool until the deadline."""
    plan = training_plan([("g4dn.xlarge", "us-east-1")], ondemand_hours=0.5)
    outcome = {}
    deadlines = {"sskai": 1.75, "baseline": 0.75}  # baseline's waits until its deadline: a short one will do
    for policy in ("sskai", "baseline"):
        config = CONFIG.model_copy(update={"epochs": 20, "deadline_hours": deadlines[policy], "spot_policy": policy})
        training = spot_training(stores, example_zips, config, plan)
        simulation = SpotSimulation(
            source="fixed", outages=(PoolOutage(pool=0, at_seconds=900, notice_seconds=0),), **SCALED
        )
        finish(run_training_process(training.id, simulation))
        record = stores.metadata.get(Training, training.id)
        assert_learned(record, config)
        events = training_events(stores.metadata, training.id)
        outcome[policy] = (record, events)

    record, events = outcome["sskai"]
    made = decisions(events)
    assert made[0][0] == "LaunchSpot" and made[0][1] == "g4dn.xlarge in us-east-1"
    assert any(kind == "LaunchOnDemand" for kind, _, _ in made), made
    assert all(reason for _, _, reason in made)  # every decision says why
    started = next(e for e in events if e.kind == EventKind.RESUMED)  # the job's clock starts at its first step
    ended = next(e for e in events if e.kind == EventKind.ATTEMPT_ENDED)
    assert trace_hours(events, started, ended, 60.0) <= 1.75  # finished before its deadline
    kinds = [e.kind for e in events]
    assert EventKind.CAPACITY_LOST in kinds and EventKind.NOTICE not in kinds  # reclaimed without a word
    costs = stores.metadata.list(CostRecord, resource_id=record.id)
    ondemand = [c for c in costs if c.pricing == "on_demand" and c.instance_type == "g4dn.xlarge"]
    assert len(ondemand) == 2 and all(c.detail["usd_per_hour"] == c.detail["ondemand_usd_per_hour"] for c in ondemand)
    assert sum(c.seconds for c in ondemand) > 0
    _, marks = timeline_frames(events)
    assert any(label.startswith("decision") for label in marks["event"])

    record, events = outcome["baseline"]
    made = decisions(events)
    waits = [reason for kind, _, reason in made if kind == "Wait"]
    assert waits and "waiting for g4dn.xlarge in us-east-1" in waits[0], made
    assert made[-1] == ("LaunchOnDemand", None, "the deadline has come with work left: finishing on demand")
    ended = next(e for e in events if e.kind == EventKind.ATTEMPT_ENDED)
    started = next(e for e in events if e.kind == EventKind.RESUMED)
    assert trace_hours(events, started, ended, 60.0) > 0.75  # it waited past its deadline


@pytest.mark.usefixtures("local_clusters")
def test_a_reclaim_with_capacity_elsewhere_moves_the_job_there_with_the_transfer_billed(stores, example_zips) -> None:
    plan = training_plan([("g4dn.xlarge", "us-east-1"), ("g4dn.xlarge", "us-west-2")], ondemand_hours=1.0)
    config = CONFIG.model_copy(update={"epochs": 30, "spot_policy": "cheapest_fit", "num_workers": 1})
    training = spot_training(stores, example_zips, config, plan)
    simulation = SpotSimulation(
        source="fixed", outages=(PoolOutage(pool=0, at_seconds=600, notice_seconds=360),), **SCALED
    )
    finish(run_training_process(training.id, simulation))
    record = stores.metadata.get(Training, training.id)
    assert_learned(record, config)
    events = training_events(stores.metadata, training.id)
    made = decisions(events)
    assert [(kind, pool) for kind, pool, _ in made] == [
        ("LaunchSpot", "g4dn.xlarge in us-east-1"),
        ("LaunchSpot", "g4dn.xlarge in us-west-2"),
    ]
    assert "eager failover" in made[1][2]
    ups = [e for e in events if e.kind == EventKind.NODE_UP and e.slot != "head"]
    assert [e.detail["region"] for e in ups] == ["us-east-1", "us-west-2"]
    # The notice was acted on: a checkpoint just in time, and the restart resumed from exactly it.
    notice = next(e for e in events if e.kind == EventKind.NOTICE)
    saved = [e for e in events if e.kind == EventKind.CHECKPOINT and e.detail["trigger"] == "notice"]
    assert saved and notice.at.timestamp() < saved[0].detail["snapshot_at"]
    resumes = [e.detail["from_step"] for e in events if e.kind == EventKind.RESUMED]
    assert saved[0].detail["step"] in resumes
    costs = stores.metadata.list(CostRecord, resource_id=training.id)
    [transfer] = [c for c in costs if c.pricing == "transfer"]
    assert transfer.region == "us-west-2" and transfer.paid_usd > 0 and transfer.detail["from"] == "us-east-1"
    west = [c for c in costs if c.pricing == "spot" and c.region == "us-west-2"]
    assert len(west) == 1
    summary = training_summary(stores, training.id)
    assert summary.transfer_usd == pytest.approx(transfer.paid_usd) and summary.launches == 2
    assert [d.reason for d in summary.decisions] == [reason for _, _, reason in made]


@pytest.mark.usefixtures("local_clusters")
def test_killed_train_processes_and_lost_clusters_are_reaped_and_resumed(stores, example_zips) -> None:
    """The train task dies (its nodes live on), then a whole cluster dies; ``sskai train --resume`` finishes."""
    config = CONFIG.model_copy(update={"epochs": 12, "num_workers": 1})
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
        [str(ROOT / ".venv" / "bin" / "sskai"), "train", "--resume", training.id],
        cwd=ROOT,
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
    training = spot_training(stores, example_zips, config, training_plan([("g4dn.xlarge", "us-east-1")], 1.0))
    simulation = SpotSimulation(
        source="fixed",
        tick_seconds=1.0,
        provisioning_seconds=2.0,
        preemptions=(
            ScheduledPreemption(at_seconds=4, slot="worker-1", notice_seconds=5, capacity_back_after_seconds=None),
        ),
    )
    finish(run_training_process(training.id, simulation))
    assert_learned(stores.metadata.get(Training, training.id), config)
    events = training_events(stores.metadata, training.id)
    [loss] = lost_work(events, config.num_workers)
    assert loss.announced and loss.lost_seconds == 0  # saved on the notice, resumed on one worker
    assert [e.slot for e in events if e.kind == EventKind.NODE_UP].count("worker-1") == 1  # never replaced
    assert waiting_seconds(events, 2) > 5  # short of a node from the reclaim to the end
    # One worker is still a gang for an elastic job: the policy kept it where it was.
    assert [kind for kind, _, _ in decisions(events)] == ["LaunchSpot"]
