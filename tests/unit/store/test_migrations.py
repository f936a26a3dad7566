"""The metadata store's schema is its migrations: a store made by main 90c2e48 is upgraded in place."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sskai.bundles.spec import dataset_spec, model_spec
from sskai.kinds import ServingKind, Status
from sskai.plans import Recommendation
from sskai.serving.targets import launch_config
from sskai.store import migrations
from sskai.store.metadata import (
    BudgetAlert,
    CatalogVersion,
    CostRecord,
    Dataset,
    ElectionRecord,
    Endpoint,
    LogEntry,
    MetadataStore,
    Model,
    Profile,
    RecommendationRecord,
    Training,
    TrainingAttempt,
    TrainingEvent,
)
from tests.builders import schema_differences
from tests.helpers import DATA_DIR

DUMP = DATA_DIR / "store-90c2e48.sql"  # a demo run, a refresh, a budget, a dead endpoint


ROWS = {
    "models": 1,
    "datasets": 1,
    "profiles": 1,
    "recommendations": 1,
    "trainings": 1,
    "training_attempts": 1,
    "training_events": 14,
    "endpoints": 2,
    "cost_records": 5,
    "logs": 8,
    "catalog_versions": 1,
    "elections": 1,
    "budgets": 1,
    "budget_alerts": 1,
}


def old_store(tmp_path: Path) -> str:
    database = tmp_path / "sskai.db"
    connection = sqlite3.connect(database)
    connection.executescript(DUMP.read_text())
    connection.close()
    return f"sqlite:///{database}"


def test_a_store_made_before_migrations_is_upgraded_in_place_and_loses_nothing(tmp_path: Path) -> None:
    url = old_store(tmp_path)
    store = MetadataStore(url)
    assert (tmp_path / f"sskai.db.before-{migrations.head()}").exists()  # the file as it was, kept aside
    assert schema_differences(url) == []
    for kind in (Model, Dataset, Profile, RecommendationRecord, Training, TrainingAttempt, TrainingEvent, Endpoint):
        assert len(store.list(kind)) == ROWS[kind.__tablename__]
    for kind in (CostRecord, LogEntry, CatalogVersion, ElectionRecord, BudgetAlert):
        assert len(store.list(kind)) == ROWS[kind.__tablename__]

    # The endpoint blackboard became columns and a versioned launch config.
    dead, restarted = sorted(store.list(Endpoint), key=lambda e: e.name)
    assert (dead.kind, dead.runtime, dead.status) == (ServingKind.SERVERLESS, "local", Status.FAILED)
    assert dead.down_at == datetime.fromtimestamp(1796221245.089323, tz=UTC)
    assert dead.metered_busy_seconds > 0 and dead.metered_requests == 1
    launch = launch_config(dead)
    assert launch.memory_mb == 704 and launch.bundle_dir.endswith("/bundle") and launch.weights.endswith(".safetensors")
    assert (restarted.restarts, restarted.gave_up, restarted.down_at) == (2, False, None)
    assert restarted.last_restart_at == datetime.fromtimestamp(1796221000.5, tz=UTC)
    assert restarted.kind == ServingKind.SPOT and launch_config(restarted).bundle_dir == "/tmp/gone/bundle"

    # Costs name their alternative; specs and plans read back through their models.
    assert {c.alternative for c in store.list(CostRecord)} >= {"on-demand g6f.large", "SageMaker Serverless Inference"}
    assert all(c.alternative_usd >= 0 for c in store.list(CostRecord))
    [model], [dataset] = store.list(Model), store.list(Dataset)
    assert model_spec(model).input_shape == (8,) and dataset_spec(dataset).layout == "csv"
    [recommendation] = store.list(RecommendationRecord)
    plan = Recommendation.from_stored(recommendation.plan, "the upgraded recommendation")
    assert plan.serving.kind == ServingKind.SERVERLESS and plan.serving.alternative.kind == ServingKind.SPOT

    # Opening it again finds it at the newest revision and changes nothing.
    assert migrations.upgrade(url) == migrations.head()
    assert len(MetadataStore(url).list(Endpoint)) == 2


def test_a_new_store_is_made_by_the_migrations_and_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert migrations.upgrade(url) is None  # nothing was there
    assert schema_differences(url) == []
    assert not (tmp_path / f"new.db.before-{migrations.head()}").exists()  # a new store needs no copy
