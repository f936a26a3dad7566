"""Deployments and blocks registered on the (embedded) Prefect server and read back from it."""

from __future__ import annotations

import asyncio
import os

import yaml
from prefect.client.orchestration import get_client

from blocks.settings import SskaiSettings, apply_settings, register_settings
from deployments.catalog import MONITOR_CRON, PRICING_REFRESH_CRON, all_deployments
from tests.test_layout import ROOT


def test_every_deployment_registers_with_its_schedule() -> None:
    deployments = all_deployments()
    for deployment in deployments:
        deployment.apply()

    async def read() -> dict:
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments(limit=200)}

    registered = asyncio.run(read())
    assert set(registered) >= {
        "pipeline",
        "upload",
        "profile",
        "recommend",
        "train",
        "deploy",
        "monitor",
        "pricing-refresh",
    }
    [schedule] = registered["monitor"].schedules
    assert schedule.schedule.cron == MONITOR_CRON
    declared = {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]}
    assert set(declared) == {d.name for d in deployments}
    assert declared["monitor"]["schedules"][0]["cron"] == MONITOR_CRON
    [hourly] = registered["pricing-refresh"].schedules
    assert hourly.schedule.cron == PRICING_REFRESH_CRON == declared["pricing-refresh"]["schedules"][0]["cron"]


def test_settings_block_round_trips_through_the_server(monkeypatch) -> None:
    for variable in ("SSKAI_DATABASE_URL", "SSKAI_ARTIFACT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(variable, "before")  # restored by monkeypatch after the block overwrites it
    register_settings("postgresql+psycopg2://postgres@db/sskai", "s3://team-bucket/sskai", "eu-west-1", name="test")
    loaded = apply_settings("test")
    assert isinstance(loaded, SskaiSettings)
    assert os.environ["SSKAI_DATABASE_URL"] == "postgresql+psycopg2://postgres@db/sskai"
    assert os.environ["SSKAI_ARTIFACT_URL"] == "s3://team-bucket/sskai"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
