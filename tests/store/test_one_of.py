"""A list of ids bound as one parameter (store.chunks.one_of), on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from passerelle.policy.directory import add_organisation
from passerelle.store.chunks import one_of
from passerelle.store.database import Database
from passerelle.store.schema import organisations

BY_NAME = select(organisations.c.name).where(one_of(organisations.c.name, "names"))


def _names(database: Database, wanted: list[str]) -> list[str]:
    with database.read() as conn:
        return sorted(conn.execute(BY_NAME, {"names": wanted}).scalars())


def test_matches_exactly_the_listed_values_whatever_their_number(database: Database) -> None:
    with database.write() as conn:
        for name in ("Atlas", "Borealis", "quote ' and \" and \\ and , [ ] {"):
            add_organisation(conn, name)
    assert _names(database, []) == []
    assert _names(database, ["Atlas"]) == ["Atlas"]
    assert _names(database, ["atlas", "Atlas ", "Nobody"]) == []
    awkward = "quote ' and \" and \\ and , [ ] {"
    assert _names(database, [awkward, "Borealis"]) == ["Borealis", awkward]
    # More values than SQLite binds by default (999): one parameter carries them all.
    many = [f"org {n}" for n in range(2500)] + ["Atlas"]
    assert _names(database, many) == ["Atlas"]


def test_the_same_sql_and_one_parameter_go_out_for_lists_of_any_length(
    database: Database,
) -> None:
    sent: list[tuple[str, int]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_rest: Any) -> None:
        if "organisations" in sql:
            sent.append((sql, len(params)))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        for size in (1, 7, 600):
            _names(database, [f"org {n}" for n in range(size)])
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert len(sent) == 3
    assert len({sql for sql, _count in sent}) == 1
    assert [count for _sql, count in sent] == [1, 1, 1]
