"""The metadata store: every dataset, model, profile, training, endpoint, cost record and log.

SQLAlchemy, so the embedded default (SQLite) and the scale configuration (PostgreSQL) share one
schema. Every record has a UUID, an owner, timestamps and a status; a failed status carries the
reason in ``status_reason``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from sskai.errors import NotFound
from sskai.kinds import EventKind, LogLevel, PricingKind, ResourceKind, ServingKind, Status
from sskai.processes import ProcessIdentity
from sskai.store import migrations


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """Timestamps come back timezone-aware (UTC) from every database; SQLite alone would drop the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


class Record:
    """Columns every record shares."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    status: Mapped[Status] = mapped_column(String(16), default=Status.PENDING)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)


class ProcessOwned:
    """Which process on which host does (or did) the work: a pid pinned by its start time (pids are reused)."""

    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    process_start_ticks: Mapped[int | None] = mapped_column(Integer, default=None)

    @property
    def process(self) -> ProcessIdentity:
        return ProcessIdentity(host=self.host, pid=self.pid, start_ticks=self.process_start_ticks)

    def owned_by(self, process: ProcessIdentity) -> None:
        self.host, self.pid, self.process_start_ticks = process.host, process.pid, process.start_ticks


class BundleRecord(Record):
    """An uploaded bundle: one row per (owner, name, version), content-addressed by its hash."""

    name: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    artifact_key: Mapped[str] = mapped_column(String(512))
    size_bytes: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Dataset(BundleRecord, Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("owner", "name", "version"),)


class Model(BundleRecord, Base):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("owner", "name", "version"),)


class CurrentVersion(Record, Base):
    """Which version a bundle's name resolves to: the newest upload, or the one `sskai models use` chose."""

    __tablename__ = "current_versions"
    __table_args__ = (UniqueConstraint("owner", "table", "name"),)
    table: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)


class Profile(Record, Base):
    __tablename__ = "profiles"
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id"), index=True)
    device: Mapped[str | None] = mapped_column(String(32), default=None)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RecommendationRecord(Record, Base):
    """A stored recommendation: its plans (``sskai.plans.Recommendation``) and the profile they came from."""

    __tablename__ = "recommendations"
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id"), index=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"))
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Training(Record, Base):
    __tablename__ = "trainings"
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    instance_type: Mapped[str | None] = mapped_column(String(32), default=None)
    region: Mapped[str | None] = mapped_column(String(32), default=None)
    plan: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # the TrainingPlan it was made from
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    history: Mapped[list[Any]] = mapped_column(default=list)
    checkpoint_key: Mapped[str | None] = mapped_column(String(512), default=None)
    weights_key: Mapped[str | None] = mapped_column(String(512), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class TrainingAttempt(ProcessOwned, Record, Base):
    """One run of a training by one process (a Prefect retry, a resume): who ran it, when, and how it ended."""

    __tablename__ = "training_attempts"
    training_id: Mapped[str] = mapped_column(ForeignKey("trainings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    resumed_from_step: Mapped[int | None] = mapped_column(Integer, default=None)
    global_step: Mapped[int | None] = mapped_column(Integer, default=None)


class TrainingEvent(Record, Base):
    """Something that happened to a training, with its time: a node came or went, a notice, a checkpoint, a restart.

    Written by the process that saw it (the train task, the preemption simulator, Ray Train's
    controller); the timeline plot, the rework figure and the per-node metering read them back.
    """

    __tablename__ = "training_events"
    training_id: Mapped[str] = mapped_column(ForeignKey("trainings.id"), index=True)
    attempt: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(String(32))
    slot: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Endpoint(Record, Base):
    """A served model. Facts are columns, each with one writer; what starting it again needs is ``launch``."""

    __tablename__ = "endpoints"
    name: Mapped[str] = mapped_column(String(20))
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id"), index=True)
    training_id: Mapped[str | None] = mapped_column(ForeignKey("trainings.id"), default=None)
    kind: Mapped[ServingKind] = mapped_column(String(32))  # serverless or spot: what the plan chose
    runtime: Mapped[str] = mapped_column(String(32))  # the ServingTarget that serves it ("local", ...)
    url: Mapped[str | None] = mapped_column(String(256), default=None)
    api_key_sha256: Mapped[str] = mapped_column(String(64))
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    instance_type: Mapped[str | None] = mapped_column(String(32), default=None)
    region: Mapped[str | None] = mapped_column(String(32), default=None)
    launch: Mapped[dict[str, Any]] = mapped_column(default=dict)  # sskai.serving.targets.LaunchConfig, stored
    # The metering's cursor (written by the metering only).
    metered_until: Mapped[datetime | None] = mapped_column(default=None)
    metered_requests: Mapped[int] = mapped_column(Integer, default=0)
    metered_busy_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # When its process was found gone, and its supervisor's restarts (written by the health check and the supervisor).
    down_at: Mapped[datetime | None] = mapped_column(default=None)
    restarts: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since it last served for a while
    last_restart_at: Mapped[datetime | None] = mapped_column(default=None)
    gave_up: Mapped[bool] = mapped_column(default=False)


class Promotion(Record, Base):
    """A retrain's verdict: the candidate and the serving weights measured on the same held-out split, and why
    the candidate was (or was not) put behind the endpoint."""

    __tablename__ = "promotions"
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("endpoints.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    serving_training_id: Mapped[str | None] = mapped_column(ForeignKey("trainings.id"), default=None)
    candidate_training_id: Mapped[str] = mapped_column(ForeignKey("trainings.id"))
    metric: Mapped[str] = mapped_column(String(32))
    serving_value: Mapped[float | None] = mapped_column(Float, default=None)
    candidate_value: Mapped[float] = mapped_column(Float)
    min_improvement: Mapped[float] = mapped_column(Float)
    promoted: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)


class Budget(Record, Base):
    """An owner's monthly spending limit; the monitor alerts once when the month's projection crosses it."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("owner"),)
    monthly_usd: Mapped[float] = mapped_column(Float)


class BudgetAlert(Record, Base):
    """One crossing of one budget in one month: raised by the monitor, delivered by the budget-alert flow."""

    __tablename__ = "budget_alerts"
    __table_args__ = (UniqueConstraint("owner", "month", "budget_usd"),)
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    budget_usd: Mapped[float] = mapped_column(Float)
    spent_usd: Mapped[float] = mapped_column(Float)
    projected_usd: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class CostRecord(Record, Base):
    """One metered stretch of one resource: what was paid and what the alternative would have cost."""

    __tablename__ = "cost_records"
    resource_kind: Mapped[ResourceKind] = mapped_column(String(16))
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    pricing: Mapped[PricingKind] = mapped_column(String(16))
    instance_type: Mapped[str | None] = mapped_column(String(32), default=None)
    region: Mapped[str | None] = mapped_column(String(32), default=None)
    node_count: Mapped[int] = mapped_column(Integer, default=1)
    seconds: Mapped[float] = mapped_column(Float)
    period_start: Mapped[datetime] = mapped_column()
    period_end: Mapped[datetime] = mapped_column()
    paid_usd: Mapped[float] = mapped_column(Float)
    alternative_usd: Mapped[float] = mapped_column(Float)  # what ``alternative`` would have cost
    alternative: Mapped[str] = mapped_column(String(64))  # what it replaced, e.g. "on-demand p3.2xlarge"
    simulated: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CatalogVersion(Record, Base):
    """One catalog as it was fetched: when, from where, and its rows (a CSV in the artifact store)."""

    __tablename__ = "catalog_versions"
    source: Mapped[str] = mapped_column(String(256))
    live: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    offer_count: Mapped[int] = mapped_column(Integer)
    artifact_key: Mapped[str] = mapped_column(String(512))


class ElectionRecord(Record, Base):
    """An election over one catalog version, the NodePools it implies, and what changed since the last."""

    __tablename__ = "elections"
    catalog_version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    election: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(32))
    pools: Mapped[dict[str, Any]] = mapped_column(default=dict)
    changed: Mapped[bool] = mapped_column(default=False)
    diff: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProcessClaim(ProcessOwned, Record, Base):
    """Which process is working on a record now (a profile, an endpoint being deployed, a training's attempt).

    The one live record of ownership: a record left unfinished whose claiming process is gone (a
    killed CLI, Ctrl-C, a lost machine) is marked failed by the next run or the monitor
    (:mod:`sskai.ownership.reaper`).
    """

    __tablename__ = "process_claims"
    record_table: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)


class EndpointSample(Record, Base):
    """An endpoint's counters at one moment: the dashboard plots requests/s, errors/s and latency from these."""

    __tablename__ = "endpoint_samples"
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("endpoints.id"), index=True)
    at: Mapped[datetime] = mapped_column()
    requests: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    busy_seconds: Mapped[float] = mapped_column(Float)
    latency_ms_p50: Mapped[float | None] = mapped_column(Float, default=None)
    latency_ms_p95: Mapped[float | None] = mapped_column(Float, default=None)
    retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # a router's, sent again
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # no replica answered them


class LogEntry(Record, Base):
    __tablename__ = "logs"
    resource_kind: Mapped[ResourceKind] = mapped_column(String(16))
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    level: Mapped[LogLevel] = mapped_column(String(8), default=LogLevel.INFO)
    message: Mapped[str] = mapped_column(Text)


R = TypeVar("R", bound=Base)
_UPGRADED: set[str] = set()


# A shown id is 8 characters; fewer than 4 would match too much to mean anything.
MIN_ID_PREFIX = 4


class MetadataStore:
    """A thin repository over one database. Sessions are short; records come back detached."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url not in _UPGRADED:  # once per process and database: every later open finds it at head
            migrations.upgrade(url)
            _UPGRADED.add(url)
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def add(self, record: R) -> R:
        with self.session() as session:
            session.add(record)
        return record

    def delete(self, kind: type[R], record_id: str) -> None:
        with self.session() as session:
            record = session.get(kind, record_id)
            if record is not None:
                session.delete(record)

    def get(self, kind: type[R], record_id: str) -> R:
        with self.session() as session:
            record = session.get(kind, record_id)
        if record is None:
            raise NotFound(f"no {kind.__tablename__[:-1]} with id {record_id}")
        return record

    def update(self, kind: type[R], record_id: str, **values: Any) -> R:
        with self.session() as session:
            record = session.get(kind, record_id)
            if record is None:
                raise NotFound(f"no {kind.__tablename__[:-1]} with id {record_id}")
            for key, value in values.items():
                setattr(record, key, value)
        return record

    def set_status(self, kind: type[R], record_id: str, status: Status, reason: str | None = None) -> R:
        return self.update(kind, record_id, status=status, status_reason=reason)

    def find(self, kind: type[R], id_or_prefix: str, **filters: Any) -> R:
        """The record whose id is ``id_or_prefix`` or, uniquely, starts with it (the 8 characters tables show)."""
        what = kind.__tablename__[:-1]
        with self.session() as session:
            exact = session.get(kind, id_or_prefix)
            if exact is not None and all(getattr(exact, k) == v for k, v in filters.items()):
                return exact
            if len(id_or_prefix) < MIN_ID_PREFIX:
                raise NotFound(f"no {what} with id {id_or_prefix!r} (give at least {MIN_ID_PREFIX} characters of one)")
            query = select(kind).filter_by(**filters).where(kind.id.startswith(id_or_prefix, autoescape=True))
            found = list(session.scalars(query.limit(6)))
        if not found:
            raise NotFound(f"no {what} with an id starting {id_or_prefix!r}")
        if len(found) > 1:
            shown = ", ".join(r.id for r in found[:5])
            raise NotFound(f"{len(found)}+ {what}s have ids starting {id_or_prefix!r} ({shown}): give more of it")
        return found[0]

    def list(self, kind: type[R], **filters: Any) -> list[R]:
        with self.session() as session:
            query = select(kind).filter_by(**filters).order_by(kind.created_at)
            return list(session.scalars(query))

    def latest(self, kind: type[R], **filters: Any) -> R | None:
        with self.session() as session:
            query = select(kind).filter_by(**filters).order_by(kind.created_at.desc()).limit(1)
            return session.scalars(query).first()

    def next_version(self, kind: type[BundleRecord], owner: str, name: str) -> int:
        with self.session() as session:
            current = session.scalar(select(func.max(kind.version)).filter_by(owner=owner, name=name))
        return (current or 0) + 1

    def find_version(self, kind: type[R], owner: str, name: str, version: int | None = None) -> R:
        """The named bundle at ``version``, or the version its name resolves to (:meth:`current_version`)."""
        if version is None:
            version = self.current_version(kind, owner, name)
        filters: dict[str, Any] = {"owner": owner, "name": name, "status": Status.READY}
        if version is not None:
            filters["version"] = version
        with self.session() as session:
            query = select(kind).filter_by(**filters).order_by(kind.version.desc()).limit(1)
            record = session.scalars(query).first()
        if record is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"no ready {kind.__tablename__[:-1]} named {name!r}{suffix} for owner {owner!r}")
        return record

    def current_version(self, kind: type[R], owner: str, name: str) -> int | None:
        """The version ``name`` resolves to: the one last chosen, else the newest ready one (None: none)."""
        with self.session() as session:
            chosen = session.scalar(
                select(CurrentVersion.version).filter_by(owner=owner, table=kind.__tablename__, name=name)
            )
            if chosen is not None:
                return chosen
            return session.scalar(select(func.max(kind.version)).filter_by(owner=owner, name=name, status=Status.READY))

    def use_version(self, kind: type[R], owner: str, name: str, version: int | None) -> None:
        """Make ``name`` resolve to ``version`` (which must exist and be ready); None: to its newest again."""
        if version is None:
            with self.session() as session:
                session.execute(delete(CurrentVersion).filter_by(owner=owner, table=kind.__tablename__, name=name))
            return
        self.find_version(kind, owner, name, version)
        with self.session() as session:
            chosen = session.scalars(
                select(CurrentVersion).filter_by(owner=owner, table=kind.__tablename__, name=name)
            ).first()
            if chosen is None:
                session.add(
                    CurrentVersion(
                        owner=owner, table=kind.__tablename__, name=name, version=version, status=Status.READY
                    )
                )
            else:
                chosen.version = version

    def log(
        self, owner: str, resource_kind: ResourceKind, resource_id: str, message: str, level: LogLevel = LogLevel.INFO
    ) -> None:
        self.add(
            LogEntry(
                owner=owner,
                resource_kind=resource_kind,
                resource_id=resource_id,
                level=level,
                message=message,
                status=Status.READY,
            )
        )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL and a busy timeout: the flow, the CLI and the dashboard read and write at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
