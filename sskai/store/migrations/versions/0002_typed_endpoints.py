"""Facts become columns, names stop lying (issue 17).

- endpoints: ``target`` (which held the serving *kind*) is ``kind``; the ``config`` blackboard is gone:
  its runtime, metering cursor, when the process was found down and the supervisor's restarts are
  columns, and what a restart needs (bundle, weights, Lambda memory) is a versioned ``launch``;
- cost_records: ``baseline``/``baseline_usd`` (the on-demand or managed alternative) are
  ``alternative``/``alternative_usd``;
- models and datasets: their manifests (``ModelSpec``, ``DatasetSpec``) carry a schema version;
- recommendations: a serving plan's ``target`` (a serving kind) is ``kind`` (Recommendation v2).

Revision ID: 0002
Revises: 0001
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LAUNCH_VERSION = 1
MANIFEST_VERSION = 1


def _json(value):
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else value


def _epoch(value):
    return None if value is None else datetime.fromtimestamp(float(value), tz=UTC)


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("endpoints") as batch:
        batch.alter_column("target", new_column_name="kind", existing_type=sa.String(32), existing_nullable=False)
        batch.add_column(sa.Column("runtime", sa.String(32), nullable=False, server_default="local"))
        batch.add_column(sa.Column("launch", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("metered_busy_seconds", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("down_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("restarts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_restart_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("gave_up", sa.Boolean(), nullable=False, server_default=sa.false()))
    endpoints = sa.table(
        "endpoints",
        sa.column("id", sa.String),
        sa.column("config", sa.JSON),
        sa.column("runtime", sa.String),
        sa.column("launch", sa.JSON),
        sa.column("metered_busy_seconds", sa.Float),
        sa.column("down_at", sa.DateTime(timezone=True)),
        sa.column("restarts", sa.Integer),
        sa.column("last_restart_at", sa.DateTime(timezone=True)),
        sa.column("gave_up", sa.Boolean),
    )
    for row in connection.execute(sa.select(endpoints.c.id, endpoints.c.config)).all():
        config = _json(row.config)
        supervision = config.get("supervision") or {}
        connection.execute(
            endpoints.update()
            .where(endpoints.c.id == row.id)
            .values(
                runtime=config.get("runtime") or "local",
                launch={
                    "schema_version": LAUNCH_VERSION,
                    "memory_mb": config.get("memory_mb"),
                    "bundle_dir": config.get("bundle_dir"),
                    "weights": config.get("weights"),
                },
                metered_busy_seconds=float(config.get("metered_busy_seconds") or 0.0),
                down_at=_epoch(config.get("down_at")),
                restarts=int(supervision.get("restarts") or 0),
                last_restart_at=_epoch(supervision.get("last_restart_at")),
                gave_up=bool(supervision.get("gave_up")),
            )
        )
    with op.batch_alter_table("endpoints") as batch:
        batch.drop_column("config")

    with op.batch_alter_table("cost_records") as batch:
        batch.alter_column(
            "baseline_usd", new_column_name="alternative_usd", existing_type=sa.Float(), existing_nullable=False
        )
        batch.alter_column(
            "baseline", new_column_name="alternative", existing_type=sa.String(64), existing_nullable=False
        )

    for table in ("models", "datasets"):
        bundles = sa.table(table, sa.column("id", sa.String), sa.column("manifest", sa.JSON))
        for row in connection.execute(sa.select(bundles.c.id, bundles.c.manifest)).all():
            manifest = _json(row.manifest)
            if "schema_version" not in manifest:
                manifest = {**manifest, "schema_version": MANIFEST_VERSION}
                connection.execute(bundles.update().where(bundles.c.id == row.id).values(manifest=manifest))

    recommendations = sa.table("recommendations", sa.column("id", sa.String), sa.column("plan", sa.JSON))
    for row in connection.execute(sa.select(recommendations.c.id, recommendations.c.plan)).all():
        plan = _json(row.plan)
        if plan.get("schema_version") != 1 or "serving" not in plan:
            continue
        serving = dict(plan["serving"])
        serving["kind"] = serving.pop("target", None)
        if serving.get("alternative"):
            alternative = dict(serving["alternative"])
            alternative["kind"] = alternative.pop("target", None)
            serving["alternative"] = alternative
        plan = {**plan, "serving": serving, "schema_version": 2}
        connection.execute(recommendations.update().where(recommendations.c.id == row.id).values(plan=plan))


def downgrade() -> None:
    raise NotImplementedError("sskai's stores move forward only; restore the copy made before the upgrade")
