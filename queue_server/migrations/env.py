"""Alembic environment: migrations run on the connection the store hands in."""

from alembic import context

from queue_server.store import metadata

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
