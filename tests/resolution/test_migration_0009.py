"""Migration 0009 (entity knowledge by version, copy and organisation): a populated node
upgrades with its names placed on the versions that carry them, its links on the version
they were decided on and the name that justified them, its merges kept by the
organisation that made them; and downgrades back to a schema the previous release reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, inspect, text

from passerelle.store.migrate import alembic_config

V1, V2 = "2026-01-01T00:00:00.000000Z", "2026-02-01T00:00:00.000000Z"
COPY = "2026-03-01T00:00:00.000000Z#2"  # boreal's copy of atlas's identity
E1, E2 = (
    "entity--00000000-0000-4000-8000-000000000001",
    "entity--00000000-0000-4000-8000-000000000002",
)
MAN, NAMESAKE = (
    "identity--00000000-0000-4000-8000-0000000000aa",
    "identity--00000000-0000-4000-8000-0000000000bb",
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    yield made
    command.upgrade(alembic_config(made), "head")
    made.dispose()


def _insert(conn: Connection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    conn.execute(
        text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})"),
        values,
    )


def _identity(name: str, aliases: list[str]) -> str:
    return json.dumps({"type": "identity", "name": name, "x_aliases": aliases})


def _node_at_0008(conn: Connection) -> None:
    """Atlas's man in two versions and Boreal's copy, all taught to one entity (as 0008
    did); a namesake waiting for review, justified by the man's name; Atlas merged E1."""
    for org_id, name in ((1, "atlas"), (2, "boreal")):
        _insert(conn, "organisations", id=org_id, name=name, created=0)
        _insert(
            conn,
            "users",
            id=org_id,
            org_id=org_id,
            username=name,
            role="analyst",
            token_hash=name,
            created=0,
        )
    _insert(conn, "channels", id=1, collection_id="c1", title="shared", description="", created=0)
    stored = [
        (MAN, V1, 1, _identity("Ivan Petrov", ["Vanya"])),
        (MAN, V2, 1, _identity("Ivan Sergeyevich Petrov", ["Vanya"])),
        (MAN, COPY, 2, _identity("Planted Name", [])),
        (NAMESAKE, V1, 1, _identity("Ivan Petrov", [])),
    ]
    for seq, (stix_id, version, org_id, body) in enumerate(stored, start=1):
        _insert(
            conn,
            "objects",
            stix_id=stix_id,
            version=version,
            type="identity",
            spec_version="2.1",
            revoked=False,
            producer_org_id=org_id,
            body=body,
        )
        _insert(
            conn,
            "channel_objects",
            seq=seq,
            channel_id=1,
            stix_id=stix_id,
            version=version,
            type="identity",
            spec_version="2.1",
            date_added=seq,
            added_by=org_id,
            producer_org_id=org_id,
        )
    _insert(conn, "entities", id=E2, kind="person", name="Ivan Petrov", created=0)
    _insert(
        conn,
        "entities",
        id=E1,
        kind="person",
        name="x",
        created=0,
        merged_into=E2,
        merged_by=1,
        merged_at=7,
    )
    for name, source in (
        ("Ivan Petrov", "stix:name"),
        ("Vanya", "stix:aliases"),
        ("Ivan Sergeyevich Petrov", "stix:name"),
        ("Planted Name", "stix:name"),
    ):
        _insert(
            conn,
            "entity_names",
            entity_id=E2,
            name=name,
            script="latin",
            source=source,
            stix_id=MAN,
            created=0,
        )
    made = {"best_name": "Ivan Petrov", "source": "stix:name", "via": MAN, "reasons": []}
    for stix_id, status in ((MAN, "auto"), (NAMESAKE, "review")):
        _insert(
            conn,
            "entity_links",
            stix_id=stix_id,
            entity_id=E2,
            score=800,
            explanation=json.dumps(made),
            status=status,
            created=0,
        )


def test_upgrading_places_names_links_and_merges(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0008")
    with engine.begin() as conn:
        _node_at_0008(conn)
    command.upgrade(alembic_config(engine), "0009")
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT id, name, version, link_version FROM entity_names ORDER BY id")
        ).all()
        links = conn.execute(
            text(
                "SELECT stix_id, holder, version, via_name_id, status FROM entity_links "
                "ORDER BY stix_id"
            )
        ).all()
        merges = conn.execute(
            text("SELECT org_id, entity_id, merged_into, merged_by, merged_at FROM entity_merges")
        ).all()
        entity_columns = {c["name"] for c in inspect(conn).get_columns("entities")}
    placed = sorted((n.name, n.version, n.link_version) for n in names)
    assert placed == [
        ("Ivan Petrov", V1, None),
        ("Ivan Sergeyevich Petrov", V2, V1),  # it tells of the link, decided on v1
        ("Planted Name", COPY, V1),  # a copy's: shown to nobody (no one sees both)
        ("Vanya", V1, None),
        ("Vanya", V2, V1),
    ]
    first = next(n.id for n in names if n.name == "Ivan Petrov")
    assert [tuple(row) for row in links] == [
        (MAN, 0, V1, None, "auto"),  # the object's own name made the entity
        (NAMESAKE, 0, V1, first, "review"),
    ]
    assert [tuple(row) for row in merges] == [(1, E1, E2, 1, 7)]
    assert "merged_into" not in entity_columns


def test_downgrading_gives_the_previous_schema_back(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0008")
    with engine.begin() as conn:
        _node_at_0008(conn)
    command.upgrade(alembic_config(engine), "0009")
    with engine.begin() as conn:  # what 0009 adds: a copy's own link, a second merge
        _insert(
            conn,
            "entity_links",
            stix_id=MAN,
            holder=2,
            entity_id=E1,
            version=COPY,
            score=1000,
            explanation="{}",
            status="auto",
            created=0,
        )
        _insert(
            conn,
            "entity_merges",
            org_id=2,
            entity_id=E1,
            merged_into=E2,
            merged_by=2,
            merged_at=9,
        )
    command.downgrade(alembic_config(engine), "0008")
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM entity_names ORDER BY id")).scalars()
        kept_names = list(names)
        links = conn.execute(
            text("SELECT stix_id, entity_id, status FROM entity_links ORDER BY stix_id")
        ).all()
        merged = conn.execute(
            text("SELECT id, merged_into, merged_by, merged_at FROM entities WHERE id = :e"),
            {"e": E1},
        ).one()
        tables = inspect(conn).get_table_names()
    assert kept_names == ["Ivan Petrov", "Vanya", "Ivan Sergeyevich Petrov"]
    assert [tuple(row) for row in links] == [(MAN, E2, "auto"), (NAMESAKE, E2, "review")]
    assert tuple(merged) == (E1, E2, 1, 7)
    assert "entity_merges" not in tables
