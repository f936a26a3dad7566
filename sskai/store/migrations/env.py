"""Alembic's entry point: the connection comes from :func:`sskai.store.migrations.upgrade`."""

from alembic import context

from sskai.store.migrations import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, version_table=VERSION_TABLE, render_as_batch=True, transaction_per_migration=True
)
with context.begin_transaction():
    context.run_migrations()
