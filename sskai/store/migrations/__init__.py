"""Schema migrations of the metadata store (Alembic), applied when a store is opened.

Every schema change is a revision in ``versions/``. A store made before migrations existed (by
``create_all``, main 90c2e48) is recognised by its tables, stamped with the first revision and
upgraded in place. Upgrades are serialised across processes (a file lock beside a SQLite database,
an advisory lock on PostgreSQL), and a SQLite file is copied aside before it is changed.

    python -m sskai.store.migrations current|upgrade|revision MESSAGE
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.pool import NullPool

SCRIPTS = Path(__file__).parent
BEFORE_MIGRATIONS = "0001"  # what a store made by create_all is
ADVISORY_LOCK = 0x55534B4149  # "sskai" for pg_advisory_lock
# Our own version table: a Prefect server on the same PostgreSQL database keeps its Alembic version in
# ``alembic_version``.
VERSION_TABLE = "sskai_schema_version"


def config(connection: Connection | None = None) -> Config:
    settings = Config()
    settings.set_main_option("script_location", str(SCRIPTS))
    settings.attributes["connection"] = connection
    return settings


@cache
def head() -> str:
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def _made_before_migrations(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return VERSION_TABLE not in tables and "datasets" in tables


def upgrade(url: str) -> str | None:
    """Bring the store at ``url`` to the newest revision; returns the revision it was at (None: new)."""
    engine = create_engine(url, poolclass=NullPool)  # no foreign-key pragma: SQLite rebuilds tables
    try:
        with engine.connect() as connection:
            if not _made_before_migrations(connection) and current(connection) == head():
                return head()  # the usual case: nothing to do, no lock taken
        with _exclusive(engine):
            with engine.connect() as connection:
                before = BEFORE_MIGRATIONS if _made_before_migrations(connection) else current(connection)
                if before == head():
                    return before
                _back_up(url, before)
                settings = config(connection)
                if before == BEFORE_MIGRATIONS and current(connection) is None:
                    command.stamp(settings, BEFORE_MIGRATIONS)
                command.upgrade(settings, "head")
                connection.commit()
            return before
    finally:
        engine.dispose()


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """One upgrade at a time, whichever process opens the store first."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        lock_path = Path(f"{engine.url.database}.migrate.lock")
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
        return
    yield


def _back_up(url: str, revision: str | None) -> None:
    """SQLite cannot roll DDL back: keep a copy of the file as it was (``sskai.db.before-0002``), made with
    sqlite3's backup API (a consistent snapshot even while others read)."""
    database = create_engine(url).url.database
    if revision is None or not database or database == ":memory:" or not Path(database).exists():
        return
    copy = Path(f"{database}.before-{head()}")
    source, target = sqlite3.connect(database), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from sskai.settings import Settings

    parser = argparse.ArgumentParser(description="sskai's metadata-store migrations")
    parser.add_argument("action", choices=("current", "upgrade", "revision"))
    parser.add_argument("message", nargs="?", help="for revision: what the change is")
    args = parser.parse_args(argv)
    url = Settings().database_url
    if args.action == "upgrade":
        print(f"upgraded from {upgrade(url)} to {head()}")
    elif args.action == "current":
        with create_engine(url, poolclass=NullPool).connect() as connection:
            print(f"{current(connection)} (head {head()})")
    else:
        command.revision(config(), message=args.message or "change", rev_id=f"{int(head()) + 1:04d}")
    return 0
