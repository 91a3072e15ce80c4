"""The search index: kept by the writes that place and remove versions, found by any part
of a word in any case and script, and emptied of what an erasure takes out of every
channel, so that an erased object is never found by its words."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import select

from passerelle.objects.queries import Entry
from passerelle.objects.removal import erase_everywhere, remove_from_channel
from passerelle.objects.search import SearchFilter, search
from passerelle.objects.search_index import words_of
from passerelle.store.migrate import alembic_config
from passerelle.store.schema import channel_objects
from passerelle.store.search_tables import object_texts
from tests.exchange_support import store
from tests.stixgen import identity, indicator
from tests.world import World

T1 = "2026-03-01T00:00:00.000Z"


def _found(world: World, username: str, text: str) -> list[str]:
    with world.database.read() as conn:
        return [
            f.stix_id for f in search(conn, world.viewer(username), SearchFilter(text), 50).found
        ]


def _indexed(world: World, stix_id: str) -> dict[str, str]:
    with world.database.read() as conn:
        rows = conn.execute(
            select(object_texts.c.version, object_texts.c.words).where(
                object_texts.c.stix_id == stix_id
            )
        )
        return {row.version: row.words for row in rows}


def _placed(world: World, stix_id: str, channel: str | None = None) -> list[Entry]:
    query = select(channel_objects.c.stix_id, channel_objects.c.version).where(
        channel_objects.c.stix_id == stix_id
    )
    if channel:
        query = query.where(channel_objects.c.channel_id == world.channels[channel].id)
    with world.database.read() as conn:
        return [Entry(row.stix_id, row.version, 0) for row in conn.execute(query.distinct())]


def test_the_index_holds_each_versions_searched_texts(world: World) -> None:
    first = indicator(1, name="Relay box", description="Seen in Lyon")
    second = indicator(1, modified=T1, ident=first["id"], name="Relay box, renamed")
    store(world, "alice", "fr-ru", [first, second])
    held = _indexed(world, first["id"])
    assert sorted(held.values()) == sorted([words_of(first), words_of(second)])
    assert words_of(first) == "relay box\n[ipv4-addr:value = '10.0.0.1']\nseen in lyon"
    # A word only the older version held finds nothing: the newest version is searched.
    assert _found(world, "boris", "Lyon") == []
    assert _found(world, "boris", "renamed") == [first["id"]]


def test_words_are_found_by_any_part_in_any_case_and_script(world: World) -> None:
    person: dict[str, Any] = identity("Boris Kalmykov")
    person["description"] = 'Борис Калмыков. Straße 100% sure, a_b "quoted" back\\slash'
    other = identity("Someone Else", description="1000 a-b")
    store(world, "alice", "fr-ru", [person, other])
    for text in (
        "kalmykov",
        "KALMY",
        "калмыков",
        "КАЛМЫ",
        "strasse",
        "100%",
        "a_b",
        '"quoted"',
        "back\\slash",
        "y k",
    ):
        assert _found(world, "boris", text) == [person["id"]], text
    assert _found(world, "boris", "kalmykov nowhere") == []
    assert sorted(_found(world, "boris", "e")) == sorted([person["id"], other["id"]])


def test_an_erased_object_is_not_found_by_its_words(world: World) -> None:
    kept, erased = indicator(2, name="Kept relay"), indicator(3, name="Erased relay")
    store(world, "alice", "fr-ru", [kept, erased])
    store(world, "alice", "community", [erased])
    assert sorted(_found(world, "boris", "relay")) == sorted([kept["id"], erased["id"]])
    node, entries = world.viewer("alice"), _placed(world, erased["id"])
    with world.database.write() as conn:
        erase_everywhere(conn, world.hooks, node, entries, 1)
    assert _indexed(world, erased["id"]) == {}
    assert _indexed(world, kept["id"]) != {}
    for user in ("alice", "boris", "carla"):
        assert _found(world, user, "erased") == [], user
    assert _found(world, "boris", "relay") == [kept["id"]]


def test_words_stay_while_a_channel_holds_the_version_and_return_with_it(
    world: World,
) -> None:
    shared = indicator(4, name="Shared relay")
    store(world, "alice", "fr-ru", [shared])
    store(world, "alice", "community", [shared])
    alice = world.viewer("alice")
    entries = _placed(world, shared["id"], "fr-ru")
    with world.database.write() as conn:
        remove_from_channel(conn, world.hooks, alice, world.channels["fr-ru"], entries, 1)
    # fsb read it only in fr-ru; cert still reads it in community.
    assert _found(world, "boris", "shared relay") == []
    assert _found(world, "carla", "shared relay") == [shared["id"]]
    entries = _placed(world, shared["id"], "community")
    with world.database.write() as conn:
        remove_from_channel(conn, world.hooks, alice, world.channels["community"], entries, 2)
    assert _indexed(world, shared["id"]) == {}
    # Placed again (the node holds the version: not new to it), it is indexed again.
    store(world, "alice", "fr-ru", [shared])
    assert _indexed(world, shared["id"]) != {}
    assert _found(world, "boris", "shared relay") == [shared["id"]]


def test_the_migration_indexes_the_versions_placed_before_it(world: World) -> None:
    first = indicator(5, name="Old relay", description="Before the index")
    second = indicator(5, modified=T1, ident=first["id"], name="Old relay, renamed")
    erased = indicator(6, name="Old erased relay")
    store(world, "alice", "fr-ru", [first, second, erased])
    node, entries = world.viewer("alice"), _placed(world, erased["id"])
    with world.database.write() as conn:
        erase_everywhere(conn, world.hooks, node, entries, 1)
    config = alembic_config(world.database.engine)
    command.downgrade(config, "0017_fedlookup")
    command.upgrade(config, "head")
    held = _indexed(world, first["id"])
    assert sorted(held.values()) == sorted([words_of(first), words_of(second)])
    assert _indexed(world, erased["id"]) == {}
    assert _found(world, "boris", "old relay") == [first["id"]]
    # The index kept by writes goes on from the one the migration built.
    later = indicator(7, name="New relay")
    store(world, "alice", "fr-ru", [later])
    assert sorted(_found(world, "boris", "relay")) == sorted([first["id"], later["id"]])
