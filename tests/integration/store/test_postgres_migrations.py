"""The metadata store's schema is its migrations: a store made by main 90c2e48 is upgraded in place."""

from __future__ import annotations

from sqlalchemy import create_engine

from sskai.store import migrations
from sskai.store.metadata import (
    MetadataStore,
)
from tests.builders import schema_differences


def test_postgres_is_migrated_to_the_same_schema(postgres_db: str) -> None:
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{postgres_db}"
    MetadataStore(url)
    assert schema_differences(url) == []
    with create_engine(url).connect() as connection:
        assert migrations.current(connection) == migrations.head()
