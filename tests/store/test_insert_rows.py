"""Bulk inserts of the hot paths (Database.insert_rows), on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from passerelle.policy.directory import add_organisation
from passerelle.store.database import Database
from passerelle.store.schema import object_keys, objects

OBJECT_COLUMNS = tuple(objects.c.keys())  # every column of the table


def _object(org_id: int, n: int, **changes: Any) -> tuple[Any, ...]:
    row = {
        "stix_id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "version": "2026-01-01T00:00:00.000000Z",
        "type": "indicator",
        "spec_version": "2.1",
        "revoked": False,
        "producer_org_id": org_id,
        "body": '{"name": "quote \\" and backslash \\\\ and comma, {brace}", "n": ' + f"{n}}}",
        "tlp": None,
        "pap": None,
        "handling_codes": 0,
        "h3_text": "",
    }
    row.update(changes)
    return tuple(row[c] for c in OBJECT_COLUMNS)


def test_rows_go_in_whole_with_nulls_booleans_and_awkward_text(database: Database) -> None:
    with database.write() as conn:
        org = add_organisation(conn, "Atlas")
        rows = [_object(org.id, n) for n in range(3)]
        rows.append(_object(org.id, 3, revoked=True, tlp=4, pap=1, h3_text="not in court"))
        database.insert_rows(conn, objects, OBJECT_COLUMNS, rows)
    with database.read() as conn:
        stored = conn.execute(
            select(*(objects.c[c] for c in OBJECT_COLUMNS)).order_by(objects.c.stix_id)
        ).all()
    assert [tuple(r) for r in stored] == rows


def test_a_duplicate_key_keeps_the_stored_row(database: Database) -> None:
    columns = ("stix_id", "version", "key")
    first = ("indicator--1", "v1", "ipv4:010.000.000.001")
    with database.write() as conn:
        database.insert_rows(conn, object_keys, columns, [first, ("indicator--1", "v1", "d:x")])
        # The same key again, in the same statement and in a later one: no error, one row.
        database.insert_rows(conn, object_keys, columns, [first, first])
    with database.read() as conn:
        keys = conn.execute(select(object_keys.c.key).order_by(object_keys.c.key)).scalars()
        assert list(keys) == ["d:x", "ipv4:010.000.000.001"]


def test_no_rows_is_nothing(database: Database) -> None:
    with database.write() as conn:
        database.insert_rows(conn, object_keys, ("stix_id", "version", "key"), [])
    with database.read() as conn:
        assert conn.execute(select(object_keys.c.key)).first() is None


def test_dictionaries_and_tuples_store_the_same(database: Database) -> None:
    with database.write() as conn:
        org = add_organisation(conn, "Atlas")
        as_tuple = _object(org.id, 1)
        as_dict = dict(zip(OBJECT_COLUMNS, _object(org.id, 2), strict=True))
        database.insert_rows(conn, objects, OBJECT_COLUMNS, [as_tuple])
        database.insert_ignoring_duplicates(conn, objects, [as_dict])
    with database.read() as conn:
        bodies = conn.execute(select(objects.c.body).order_by(objects.c.stix_id)).scalars()
        assert list(bodies) == [as_tuple[6], as_dict["body"]]
