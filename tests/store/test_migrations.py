"""The migrations build exactly the schema that the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from passerelle.store.database import SCHEMA_HEAD, Database
from passerelle.store.migrate import alembic_config
from passerelle.store.search_tables import POSTGRESQL_INDEX, SQLITE_INDEX
from passerelle.store.tables import metadata


def _declared(name: str | None, _kind: str, _parent: dict[str, str | None]) -> bool:
    # The search index is each backend's own (an FTS5 table and its shadow tables, a
    # pg_trgm index), made by its migration outside what SQLAlchemy declares; the next
    # test checks that it is there.
    return name not in SQLITE_INDEX | POSTGRESQL_INDEX


def test_migrated_schema_matches_the_declared_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _declared})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_search_index_is_the_backends_own(database: Database) -> None:
    inspector = inspect(database.engine)
    if database.backend == "sqlite":
        assert set(inspector.get_table_names()) >= SQLITE_INDEX
    else:
        indexes = {i["name"] for i in inspector.get_indexes("object_texts")}
        assert indexes >= POSTGRESQL_INDEX


def test_migrating_twice_changes_nothing(database: Database) -> None:
    database.migrate()
    database.migrate()
    with database.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config(database.engine)).get_current_head()
    assert current == head == "0021_review"
    # What a process checks, with one query, before loading Alembic.
    assert database.schema_current()
    assert head == SCHEMA_HEAD


def test_upgrading_a_populated_node_keeps_its_objects_and_backfills_handling(
    database_url: str,
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    command.downgrade(alembic_config(engine), "0001")  # the schema a 0.1.0 node had
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, created) VALUES (1, 'dgsi', 0)"))
        conn.execute(
            text(
                "INSERT INTO users (id, org_id, username, role, token_hash, created) "
                "VALUES (1, 1, 'alice', 'liaison', 'h', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO channels (id, collection_id, title, description, created) "
                "VALUES (1, 'c1', 'fr-ru', '', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO objects (stix_id, version, type, spec_version, revoked, "
                "producer_org_id, body) VALUES ('indicator--1', 'v', 'indicator', '2.1', "
                "false, 1, '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO channel_objects (channel_id, stix_id, version, type, spec_version, "
                "date_added, added_by) VALUES (1, 'indicator--1', 'v', 'indicator', '2.1', 5, 1)"
            )
        )
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT producer_org_id, tlp, tlp_defaulted, clients_see FROM channel_objects")
        ).one()
        default_tlp = conn.execute(text("SELECT default_tlp FROM channels")).scalar()
    engine.dispose()
    assert (row.producer_org_id, row.tlp, bool(row.tlp_defaulted)) == (1, 2, False)
    assert bool(row.clients_see)  # AMBER reaches clients
    assert default_tlp == 2


def test_upgrading_keeps_the_correlation_keys_in_one_index_led_by_the_key(
    database_url: str,
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    command.downgrade(alembic_config(engine), "0006")  # keys led by the STIX id
    keys = [("indicator--1", "v1", "ipv4:010.000.000.001"), ("indicator--2", "v1", "d:x.org")]
    with engine.begin() as conn:
        for stix_id, version, key in keys:
            conn.execute(
                text("INSERT INTO object_keys (stix_id, version, key) VALUES (:s, :v, :k)"),
                {"s": stix_id, "v": version, "k": key},
            )
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT stix_id, version, key FROM object_keys")).all()
        found = inspect(conn)
        primary = found.get_pk_constraint("object_keys")["constrained_columns"]
        indexes = found.get_indexes("object_keys")
        if engine.dialect.name == "sqlite":
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'object_keys'")
            ).scalar()
            assert sql is not None
            assert "WITHOUT ROWID" in sql
    engine.dispose()
    assert sorted(tuple(row) for row in stored) == sorted(keys)
    assert primary == ["key", "stix_id", "version"]
    assert indexes == []  # the primary key is the only index


def test_upgrading_records_each_objects_first_producer_and_its_version_as_written(
    database_url: str,
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    command.downgrade(alembic_config(engine), "0007")  # before object owners
    with engine.begin() as conn:
        for org_id, name in ((1, "atlas"), (2, "boreal")):
            conn.execute(
                text("INSERT INTO organisations (id, name, created) VALUES (:i, :n, 0)"),
                {"i": org_id, "n": name},
            )
            conn.execute(
                text(
                    "INSERT INTO users (id, org_id, username, role, token_hash, created) "
                    "VALUES (:i, :i, :n, 'liaison', :n, 0)"
                ),
                {"i": org_id, "n": name},
            )
        conn.execute(
            text(
                "INSERT INTO channels (id, collection_id, title, description, created) "
                "VALUES (1, 'c1', 'shared', '', 0)"
            )
        )
        # atlas stored the object first; boreal later added a version (before this rule)
        for seq, org_id, version, modified in (
            (1, 1, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000Z"),
            (2, 2, "2026-02-01T00:00:00.000000Z", "2026-02-01T00:00:00Z"),
        ):
            body = f'{{"id": "indicator--1", "modified": "{modified}"}}'
            conn.execute(
                text(
                    "INSERT INTO objects (stix_id, version, type, spec_version, revoked, "
                    "producer_org_id, body) VALUES ('indicator--1', :v, 'indicator', '2.1', "
                    "false, :o, :b)"
                ),
                {"v": version, "o": org_id, "b": body},
            )
            conn.execute(
                text(
                    "INSERT INTO channel_objects (seq, channel_id, stix_id, version, type, "
                    "spec_version, date_added, added_by, producer_org_id) VALUES (:s, 1, "
                    "'indicator--1', :v, 'indicator', '2.1', :s, :o, :o)"
                ),
                {"s": seq, "v": version, "o": org_id},
            )
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        owners = conn.execute(text("SELECT stix_id, org_id FROM object_owners")).all()
        shown = conn.execute(
            text("SELECT shown_version FROM channel_objects ORDER BY seq")
        ).scalars()
        shown_versions = list(shown)
    engine.dispose()
    assert [tuple(row) for row in owners] == [("indicator--1", 1)]
    assert shown_versions == ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00Z"]
