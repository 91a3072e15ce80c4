"""The migrations build exactly the schema that the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from passerelle.store.database import Database
from passerelle.store.migrate import alembic_config
from passerelle.store.schema import metadata


def test_migrated_schema_matches_the_declared_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(database: Database) -> None:
    database.migrate()
    database.migrate()
    with database.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config(database.engine)).get_current_head()
    assert current == head == "0002"
