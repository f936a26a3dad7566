"""The deployments, built from the flows themselves so names and entrypoints cannot drift."""

from __future__ import annotations

from typing import Any

from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentEventTrigger

from flows.budget import budget_alert_flow
from flows.delete import delete_flow
from flows.deploy import deploy_flow
from flows.monitor import monitor_flow
from flows.pipeline import pipeline_flow
from flows.pricing_refresh import pricing_refresh_flow
from flows.profile import profile_flow
from flows.recommend import recommend_flow
from flows.retrain import retrain_flow
from flows.train import resume_training_flow, train_flow
from flows.upload import upload_flow
from tasks.budgets import BUDGET_CROSSED
from tasks.upload import DATASET_UPLOADED

# Endpoint metering: often enough that a dead endpoint is noticed within a quarter hour.
MONITOR_CRON = "*/15 * * * *"
# Spot prices are published hourly; refreshing more often only re-reads the same numbers.
PRICING_REFRESH_CRON = "0 * * * *"
# Nightly, when spot capacity is usually easiest to get; a new dataset version also triggers it at once.
RETRAIN_CRON = "0 3 * * *"


def retrain_on_new_data() -> DeploymentEventTrigger:
    """Run the retrain deployment for the dataset named in each ``sskai.dataset.uploaded`` event."""
    return DeploymentEventTrigger(
        name="retrain when a dataset version lands",
        expect={DATASET_UPLOADED},
        match={"prefect.resource.id": "sskai.dataset.*"},
        parameters={"dataset_name": "{{ event.resource.name }}"},
    )


def alert_on_budget() -> DeploymentEventTrigger:
    """Deliver each budget alert the monitor raises, as soon as it is raised."""
    return DeploymentEventTrigger(
        name="alert when a budget projection is crossed",
        expect={BUDGET_CROSSED},
        match={"prefect.resource.id": "sskai.budget.*"},
        parameters={"alert_id": "{{ event.payload.alert_id }}"},
    )


def all_deployments(job_variables: dict[str, Any] | None = None) -> list[RunnerDeployment]:
    """Every deployment; ``job_variables`` go to the work pool's job (a process worker's working folder)."""
    extra: dict[str, Any] = {"job_variables": job_variables} if job_variables else {}
    return [
        pipeline_flow.to_deployment("pipeline", parameters={"example": "mlp"}, **extra),
        upload_flow.to_deployment("upload", **extra),
        profile_flow.to_deployment("profile", **extra),
        recommend_flow.to_deployment("recommend", **extra),
        train_flow.to_deployment("train", **extra),
        resume_training_flow.to_deployment("resume-training", **extra),
        deploy_flow.to_deployment("deploy", **extra),
        delete_flow.to_deployment("delete", **extra),
        monitor_flow.to_deployment("monitor", cron=MONITOR_CRON, **extra),
        pricing_refresh_flow.to_deployment("pricing-refresh", cron=PRICING_REFRESH_CRON, **extra),
        retrain_flow.to_deployment("retrain", cron=RETRAIN_CRON, triggers=[retrain_on_new_data()], **extra),
        budget_alert_flow.to_deployment("budget-alert", triggers=[alert_on_budget()], **extra),
    ]
