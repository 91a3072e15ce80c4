"""Alembic environment: migrates the engine handed over in the config's attributes."""

from alembic import context

from passerelle.store import tables

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=tables.metadata, render_as_batch=True)
    context.run_migrations()
