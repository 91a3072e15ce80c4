"""The correlation index: the observable keys of every stored version, and rebuilding them
(the queries over it are in test_queries.py)."""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from passerelle.correlation import index
from passerelle.objects.ingest import ingest
from passerelle.stix.markings import HANDLING_EXTENSION_ID
from passerelle.store.database import Database
from passerelle.store.entity_tables import entity_links
from passerelle.store.schema import object_keys
from tests.cli_runner import Run
from tests.correlation.support import SHA256, sco, store, watching
from tests.exchange_support import ContextFor
from tests.stixgen import T0, indicator, stix_id
from tests.world import World


def keys_of(database: Database, object_id: str) -> set[str]:
    with database.read() as conn:
        return set(
            conn.execute(select(object_keys.c.key).where(object_keys.c.stix_id == object_id))
            .scalars()
            .all()
        )


# -- the index ----------------------------------------------------------------------------


def test_every_stored_version_is_indexed_by_its_observables(world: World) -> None:
    pattern = (
        "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'Evil.Example'] "
        f"OR [file:hashes.'SHA-256' = '{SHA256.upper()}'] OR [url:value = 'https://x.fr/a/']"
    )
    ind = watching(pattern, description="call 06 12 34 56 78 or write cell@example.org")
    file = sco("file", hashes={"MD5": "D41D8CD98F00B204E9800998ECF8427E"})
    net = sco("ipv4-addr", value="198.51.100.0/24")
    store(world, "alice", "fr-ru", ind, file, net)
    assert keys_of(world.database, ind["id"]) == {
        "ipv4:198.051.100.007",
        "domain:evil.example",
        f"sha256:{SHA256}",
        "url:https://x.fr/a",
        "domain:x.fr",
        "phone:+33612345678",
        "email:cell@example.org",
    }
    assert keys_of(world.database, file["id"]) == {"md5:d41d8cd98f00b204e9800998ecf8427e"}
    assert keys_of(world.database, net["id"]) == {"cidr4:198.051.100.000/24"}


def test_what_carries_no_observable_costs_nothing_and_keys_are_capped(world: World) -> None:
    many = " ".join(f"198.51.{n // 250}.{n % 250}" for n in range(500))
    loud = watching("[ipv4-addr:value = '203.0.113.1']", description=many)
    rel = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship"),
        "created": T0,
        "modified": T0,
        "relationship_type": "related-to",
        "source_ref": loud["id"],
        "target_ref": loud["id"],
        "description": "198.51.100.1",
    }
    store(world, "alice", "fr-ru", loud, rel)
    assert len(keys_of(world.database, loud["id"])) == index.MAX_KEYS
    assert keys_of(world.database, rel["id"]) == set()
    assert not index._may_carry('{"type":"identity","name":"x","id":"identity--1"}')


def test_workflow_feedback_is_not_indexed() -> None:
    note = {
        "type": "note",
        "id": stix_id("note"),
        "content": "closed: 198.51.100.7",
        "extensions": {HANDLING_EXTENSION_ID: {"feedback": {"kind": "outcome"}}},
    }
    assert index.version_keys(note, "FR") == []
    assert index.version_keys({**note, "extensions": {}}, "FR") == ["ipv4:198.051.100.007"]


def test_reindex_rebuilds_the_keys_of_stored_versions(world: World) -> None:
    ind = watching("[ipv4-addr:value = '198.51.100.7']")
    store(world, "alice", "fr-ru", ind, watching("[domain-name:value = 'a.example']"))
    with world.database.write() as conn:
        conn.execute(delete(object_keys))
    assert index.reindex(world.database, phone_region="FR") == 2
    assert keys_of(world.database, ind["id"]) == {"ipv4:198.051.100.007"}


def test_plain_indicators_get_one_key_each(world: World) -> None:
    store(world, "alice", "fr-ru", *(indicator(n) for n in range(300)))
    with world.database.read() as conn:
        found = conn.execute(select(object_keys.c.key)).scalars().all()
    assert len(found) == len(set(found)) == 300


def test_the_reindex_command_rebuilds_the_index(world: World, run: Run) -> None:
    obj = indicator(7, pattern="[ipv4-addr:value = '192.0.2.7']")
    assert not ingest(
        world.database, world.hooks, world.viewer("alice"), world.channels["fr-ru"], [obj]
    ).failures
    with world.database.write() as conn:
        conn.execute(delete(object_keys))
    gone = run("lookup", "192.0.2.7", "--json", user="alice")
    assert json.loads(gone.output)["total"] == 0
    rebuilt = run("reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "indexed 1 object versions" in rebuilt.output
    found = json.loads(run("lookup", "192.0.2.7", "--json", user="alice").output)
    assert found["total"] == 1


def test_reindex_also_resolves_objects_stored_without_a_link(
    world: World, run: Run, ctx: ContextFor
) -> None:
    from passerelle.resolution import entities as resolution
    from passerelle.store.entity_tables import entity_keys, entity_names

    person = {
        "type": "identity",
        "spec_version": "2.1",
        "id": stix_id("identity"),
        "created": T0,
        "modified": T0,
        "name": "Zakhar Prilepinsky",
        "identity_class": "individual",
    }
    assert not ingest(
        world.database, world.hooks, world.viewer("alice"), world.channels["fr-ru"], [person]
    ).failures
    with world.database.write() as conn:  # as stored before resolution existed
        conn.execute(delete(entity_links))
        conn.execute(delete(entity_keys).where(entity_keys.c.entity_id.like("entity--%")))
        conn.execute(delete(entity_names).where(entity_names.c.stix_id == person["id"]))
    assert resolution.resolve(ctx("alice"), resolution.Resolve(name="Zakhar Prilepinsky")) == []
    done = run("reindex")
    assert done.exit_code == 0, done.output
    assert "resolved 1 identity, group and place versions" in done.output
    found = resolution.resolve(ctx("alice"), resolution.Resolve(name="Zakhar Prilepinsky"))
    assert [c.best_name for c in found] == ["Zakhar Prilepinsky"]
