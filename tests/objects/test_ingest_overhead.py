"""What every stored envelope pays for watches and the audit log: statements built once,
no watch remembered between transactions, the objects parsed once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from passerelle.audit import log as audit
from passerelle.audit.key import use_audit_key
from passerelle.exchange import watches
from passerelle.exchange.watches import AddWatch, EndWatch, record_hits, report_pending
from passerelle.objects.ingest import ingest
from passerelle.store.database import Database, open_database
from passerelle.store.schema import watch_hits
from tests.exchange_support import ContextFor, FakeClock
from tests.stixgen import indicator
from tests.world import World

PHONE_TEXT = "+33 6 12 34 56 78"
VERSION = "2026-01-01T00:00:00.000000Z"


def mentioning(text: str) -> dict[str, Any]:
    return indicator(uuid.uuid4().int % 60000, description=text)


@pytest.fixture
def other_worker(database_url: str, database: Database) -> Iterator[Database]:
    """A second handle on the same database, as another worker process holds one (with
    the node's audit key, from the same key file)."""
    other = open_database(database_url)
    assert database.audit_key is not None
    use_audit_key(other, Path(database.audit_key.path))
    yield other
    other.dispose()


def watched_kinds(database: Database) -> frozenset[str]:
    with database.read() as conn:
        return watches.watched_kinds(conn)


def hit_count(database: Database) -> int:
    with database.read() as conn:
        return len(conn.execute(select(watch_hits.c.id)).all())


def test_each_kind_of_watch_is_seen_by_every_worker_at_once(
    world: World, ctx: ContextFor, other_worker: Database
) -> None:
    assert watched_kinds(other_worker) == frozenset()
    added = []
    for request, kind in (
        (AddWatch(observable=PHONE_TEXT), "phone"),
        (AddWatch(observable="ivan@example.org"), "email"),
        (AddWatch(observable="@ivan_p"), "handle"),
        (AddWatch(observable="https://example.org/ivan"), "url"),
        (AddWatch(name="Ivan Petrov"), "name"),
    ):
        added.append(watches.add_watch(ctx("alice"), request))
        assert kind in watched_kinds(other_worker)
    assert watched_kinds(other_worker) == {"phone", "email", "handle", "url", "name"}
    watches.end_watch(ctx("alice"), EndWatch(watch_id=added[0].id, reason="done"))
    assert watched_kinds(other_worker) == {"email", "handle", "url", "name"}


def test_a_watch_added_by_one_worker_hits_on_the_next_envelope_of_another(
    world: World, ctx: ContextFor, clock: FakeClock, other_worker: Database
) -> None:
    boris, channel = world.viewer("boris"), world.channels["fr-ru"]
    ingest(other_worker, world.hooks, boris, channel, [mentioning(PHONE_TEXT)], clock=clock)
    assert hit_count(world.database) == 0
    watches.add_watch(ctx("alice"), AddWatch(observable=PHONE_TEXT))
    assert hit_count(world.database) == 1  # the new watch looked back at the first object
    ingest(other_worker, world.hooks, boris, channel, [mentioning(PHONE_TEXT)], clock=clock)
    assert hit_count(world.database) == 2


def test_record_hits_takes_the_objects_already_parsed(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    obj, other = mentioning(PHONE_TEXT), mentioning("nothing to see")
    ingest(
        world.database, world.hooks, world.viewer("boris"), world.channels["fr-ru"], [obj, other]
    )
    watches.add_watch(ctx("alice"), AddWatch(observable=PHONE_TEXT))
    # The bodies are not read again when the parsed objects come with them.
    unread = [(obj["id"], VERSION, "not JSON"), (other["id"], VERSION, "not JSON")]
    with world.database.write() as conn:
        # The watch found obj looking back: forget that hit, for record_hits to make it.
        assert conn.execute(watch_hits.delete()).rowcount == 1
        made = record_hits(world.database, conn, unread, clock(), world.keys, parsed=[obj, other])
        again = record_hits(
            world.database, conn, [(obj["id"], VERSION, json.dumps(obj))], clock(), world.keys
        )
        with pytest.raises(ValueError, match="1 parsed objects for 2"):
            record_hits(world.database, conn, unread, clock(), world.keys, parsed=[obj])
    assert (len(made), again) == (1, [])


def test_nothing_pending_costs_one_query(world: World, clock: FakeClock) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        report_pending(world.database, world.hooks, clock())
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    queries = [s for s in statements if s.strip().upper() not in ("BEGIN", "COMMIT")]
    assert len(queries) == 1, statements
    assert "watch_hits" in queries[0]
    assert "pending" in queries[0]


def test_the_audit_chain_holds_when_workers_take_turns(
    world: World, other_worker: Database
) -> None:
    alice = world.viewer("alice")
    for turn in range(6):
        database = world.database if turn % 2 else other_worker
        audit.record_alone(database, alice, "read", [f"indicator--{turn}"], {"turn": turn})
    with other_worker.read() as conn:
        assert other_worker.audit_key is not None
        verdict = audit.verify(conn, other_worker.audit_key)
        entries = audit.entries(conn, username="alice")
    assert verdict.ok, verdict.problem
    assert [e.detail["turn"] for e in entries] == list(range(6))
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
