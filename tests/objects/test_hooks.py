"""The hooks of object writes: what ingest announces, in which order, and when."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from passerelle.objects.hooks import Hooks, ObjectsStored, WriteCommitted
from passerelle.objects.ingest import Refused, ingest, store_all_or_nothing
from passerelle.objects.writing import writing
from passerelle.store.database import Database
from passerelle.store.schema import objects
from tests.stixgen import indicator
from tests.world import NODE_HOOKS, World


def recording(calls: list[tuple[str, Any]]) -> Hooks:
    hooks = Hooks()
    hooks.on_stored(lambda event: calls.append(("stored", event)))
    hooks.on_committed(lambda event: calls.append(("committed", event)))
    return hooks


def test_ingest_announces_what_it_stored_then_that_it_committed(world: World) -> None:
    calls: list[tuple[str, Any]] = []
    obj = indicator(1)
    result = ingest(
        world.database, recording(calls), world.viewer("alice"), world.channels["fr-ru"], [obj]
    )
    assert not result.failures
    assert [kind for kind, _ in calls] == ["stored", "committed"]
    stored: ObjectsStored = calls[0][1]
    assert [v.stix_id for v in stored.placed] == [obj["id"]]
    assert [v.stix_id for v in stored.new] == [obj["id"]]
    assert stored.writer.username == "alice"
    assert stored.channel_id == world.channels["fr-ru"].id
    committed: WriteCommitted = calls[1][1]
    assert [(p.channel_id, p.stix_id) for p in committed.placed] == [
        (world.channels["fr-ru"].id, obj["id"])
    ]


def test_a_version_already_stored_is_placed_but_not_new(world: World) -> None:
    obj = indicator(2)
    ingest(world.database, NODE_HOOKS, world.viewer("alice"), world.channels["fr-ru"], [obj])
    calls: list[tuple[str, Any]] = []
    ingest(
        world.database, recording(calls), world.viewer("alice"), world.channels["community"], [obj]
    )
    stored: ObjectsStored = calls[0][1]
    assert ([v.stix_id for v in stored.placed], list(stored.new)) == ([obj["id"]], [])


def test_a_failing_in_transaction_listener_rolls_the_write_back(world: World) -> None:
    hooks = Hooks()
    committed: list[WriteCommitted] = []

    def refuse(_event: ObjectsStored) -> None:
        raise RuntimeError("index unavailable")

    hooks.on_stored(refuse)
    hooks.on_committed(committed.append)
    obj = indicator(3)
    with pytest.raises(RuntimeError, match="index unavailable"):
        ingest(world.database, hooks, world.viewer("alice"), world.channels["fr-ru"], [obj])
    assert committed == []
    assert stored_ids(world.database) == set()


def test_a_failing_after_commit_listener_is_logged_and_the_others_run(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    hooks = Hooks()
    ran: list[str] = []

    def broken(_event: WriteCommitted) -> None:
        raise RuntimeError("partner unreachable")

    hooks.on_committed(broken)
    hooks.on_committed(lambda _event: ran.append("second"))
    obj = indicator(4)
    with caplog.at_level(logging.ERROR):
        result = ingest(
            world.database, hooks, world.viewer("alice"), world.channels["fr-ru"], [obj]
        )
    assert not result.failures
    assert ran == ["second"]
    assert "partner unreachable" in caplog.text
    assert stored_ids(world.database) == {obj["id"]}


def test_writes_made_by_an_after_commit_listener_are_announced_after_it(world: World) -> None:
    hooks = Hooks()
    order: list[str] = []
    follow_up = indicator(5)

    def write_more(event: WriteCommitted) -> None:
        order.append(f"start {len(event.placed)}")
        if [p.stix_id for p in event.placed] != [follow_up["id"]]:
            with writing(event.database, event.hooks, event.now, [channel.id]) as write:
                store_all_or_nothing(write, viewer, channel, [follow_up])
        order.append("end")

    hooks.on_committed(write_more)
    viewer, channel = world.viewer("alice"), world.channels["fr-ru"]
    ingest(world.database, hooks, viewer, channel, [indicator(6)])
    # the follow-up's announcement waits until the listener that caused it returns
    assert order == ["start 1", "end", "start 1", "end"]


def test_all_or_nothing_announces_nothing_when_refused(world: World, database: Database) -> None:
    calls: list[tuple[str, Any]] = []
    hooks = recording(calls)
    with (
        pytest.raises(Refused),
        writing(database, hooks, 0, [world.channels["fr-ru"].id]) as write,
    ):
        store_all_or_nothing(
            write, world.viewer("alice"), world.channels["fr-ru"], [indicator(7), {"type": "x"}]
        )
    assert calls == []


def stored_ids(database: Database) -> set[str]:
    with database.read() as conn:
        return set(conn.execute(select(objects.c.stix_id)).scalars())
