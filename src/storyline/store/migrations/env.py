"""Alembic environment: runs on the connection ``storyline.store.migrate`` hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from storyline.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
