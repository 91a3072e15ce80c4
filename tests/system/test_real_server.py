"""A real ``passerelle serve`` process driven by taxii2-client and the ``stix2`` library.

These are the clients partners run (MISP and OpenCTI embed them), so each test goes
through a real socket, a real uvicorn and the node's real command line, on both backends.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import stix2
from stix2.datastore.filters import Filter
from taxii2client.v21 import ApiRoot, Collection, Server, Status, as_pages

from passerelle.http.media import TAXII_MEDIA_TYPE
from passerelle.stix.timestamps import version_key
from tests.live_server import LiveServer
from tests.stixgen import T0, as_served, identity, indicator
from tests.world import World

TITLE = "Passerelle end-to-end"
CONTACT = "soc@example.org"
MAX_CONTENT_LENGTH = 1_000_000
T1 = "2026-02-01T00:00:00.000Z"
T2 = "2026-03-01T00:00:00.000Z"


@pytest.fixture
def live_server(world: World, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A ``passerelle serve`` process over the world's database (built before it starts)."""
    env = {
        "PASSERELLE_TITLE": TITLE,
        "PASSERELLE_CONTACT": CONTACT,
        "PASSERELLE_MAX_CONTENT_LENGTH": str(MAX_CONTENT_LENGTH),
    }
    with LiveServer(database_url, tmp_path, env) as server:
        yield server


class Node:
    """taxii2-client endpoints of the live node, as one of the world's users."""

    def __init__(self, server: LiveServer, world: World, username: str) -> None:
        self.server = server
        self.world = world
        self.username = username
        self.password = world.tokens[username]

    def server_endpoint(self) -> Server:
        return Server(self.server.discovery_url, user=self.username, password=self.password)

    def api_root(self) -> ApiRoot:
        return ApiRoot(self.server.api_root_url, user=self.username, password=self.password)

    def collection(self, title: str) -> Collection:
        url = f"{self.server.api_root_url}collections/{self.world.collection(title)}/"
        return Collection(url, user=self.username, password=self.password)


def answer(error: pytest.ExceptionInfo[requests.HTTPError]) -> requests.Response:
    """Return the HTTP response behind an error taxii2-client raised."""
    response = error.value.response
    assert response is not None
    return response


def envelope(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def by_id(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in objects}


def served(*objects: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects alice (dgsi) posted, as the node serves them (README)."""
    return [as_served(o, "dgsi") for o in objects]


def test_discovery_names_the_node_and_its_api_root(live_server: LiveServer, world: World) -> None:
    server = Node(live_server, world, "alice").server_endpoint()
    assert server.title == TITLE
    assert server.contact == CONTACT
    assert [root.url for root in server.api_roots] == [live_server.api_root_url]
    assert server.default.url == live_server.api_root_url
    root = server.api_roots[0]
    assert root.versions == [TAXII_MEDIA_TYPE]
    assert root.max_content_length == MAX_CONTENT_LENGTH
    assert root.title == TITLE


def test_collections_list_only_the_channels_of_the_users_organisation(
    live_server: LiveServer, world: World
) -> None:
    def listed(username: str) -> dict[str, tuple[str, bool, bool]]:
        root = Node(live_server, world, username).api_root()
        return {c.title: (c.id, c.can_read, c.can_write) for c in root.collections}

    alice = listed("alice")
    assert alice == {
        "fr-ru": (world.collection("fr-ru"), True, True),
        "community": (world.collection("community"), True, True),
        "dropbox": (world.collection("dropbox"), False, True),
    }
    assert listed("boris") == {"fr-ru": (world.collection("fr-ru"), True, True)}
    assert listed("carla") == {
        "community": (world.collection("community"), True, False),
        "dropbox": (world.collection("dropbox"), True, True),
    }
    assert listed("oscar") == {"private": (world.collection("private"), True, True)}
    collection = Node(live_server, world, "carla").collection("community")
    assert (collection.title, collection.alias) == ("community", "community")
    assert collection.media_types == ["application/stix+json;version=2.1"]


def test_a_non_member_gets_404_for_another_organisations_collection(
    live_server: LiveServer, world: World
) -> None:
    alice = Node(live_server, world, "alice")
    sent = indicator(1)
    status = alice.collection("fr-ru").add_objects(envelope(sent))
    assert status.success_count == 1

    oscar = Node(live_server, world, "oscar")
    hidden = oscar.collection("fr-ru")
    with pytest.raises(requests.HTTPError) as described:
        _ = hidden.title
    assert answer(described).status_code == 404
    # Pretend the client knows the collection (e.g. from a leaked URL): still nothing.
    leaked = Collection(
        hidden.url,
        user="oscar",
        password=world.tokens["oscar"],
        collection_info={
            "id": world.collection("fr-ru"),
            "title": "fr-ru",
            "can_read": True,
            "can_write": True,
        },
    )
    for attempt in (
        leaked.get_objects,
        leaked.get_manifest,
        lambda: leaked.get_object(sent["id"]),
        lambda: leaked.object_versions(sent["id"]),
        lambda: leaked.add_objects(envelope(indicator(2))),
    ):
        with pytest.raises(requests.HTTPError) as refused:
            attempt()
        assert answer(refused).status_code == 404
        assert answer(refused).json()["http_status"] == "404"
    # Nor may another organisation read alice's status resource.
    with pytest.raises(requests.HTTPError) as no_status:
        Node(live_server, world, "oscar").api_root().get_status(status.id)
    assert answer(no_status).status_code == 404
    # Wrong credentials are refused before anything else.
    with pytest.raises(requests.HTTPError) as unauthorised:
        _ = Collection(hidden.url, user="alice", password="psl_wrong").title
    assert answer(unauthorised).status_code == 401
    # The object alice posted is untouched by oscar's attempts.
    assert alice.collection("fr-ru").get_objects()["objects"] == served(sent)


def test_add_objects_then_poll_the_status(live_server: LiveServer, world: World) -> None:
    alice = Node(live_server, world, "alice")
    sent = [indicator(i) for i in range(3)] + [identity("Analyst")]
    bundle = {"type": "bundle", "id": "bundle--6b2a6bd7-3e8a-4a0d-8f8e-6f3c3c8e2b11"}
    status = alice.collection("fr-ru").add_objects(
        {**bundle, "objects": sent}, wait_for_completion=False
    )
    assert isinstance(status, Status)
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (4, 4, 0)
    assert status.pending_count == 0
    assert {s["id"] for s in status.successes} == {o["id"] for o in sent}

    # Polling goes to the server's status endpoint (taxii2-client builds that URL itself).
    status.refresh()
    assert status.status == "complete"
    assert {s["id"]: s["version"] for s in status.successes} == {o["id"]: T0 for o in sent}
    status.wait_until_final(poll_interval=0.1, timeout=5)
    assert bool(status)
    again = alice.api_root().get_status(status.id)
    assert again._raw == status._raw
    # Another user of the same organisation may read it too.
    assert Node(live_server, world, "alain").api_root().get_status(status.id).success_count == 4

    received = Node(live_server, world, "boris").collection("fr-ru").get_objects()["objects"]
    assert by_id(received) == by_id(served(*sent))
    assert len(received) == len(sent)


def test_invalid_objects_are_reported_as_failures_with_messages(
    live_server: LiveServer, world: World
) -> None:
    alice = Node(live_server, world, "alice").collection("fr-ru")
    good = [indicator(1), identity("Liaison officer")]
    no_pattern = indicator(2)
    del no_pattern["pattern"]
    bad_id = indicator(3, ident="indicator--not-a-uuid")
    broken_pattern = indicator(4, pattern="[ipv4-addr:value = '1.2.3.4'")
    status = alice.add_objects(envelope(good[0], no_pattern, bad_id, broken_pattern, good[1]))
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (5, 2, 3)
    assert {s["id"] for s in status.successes} == {o["id"] for o in good}
    failures = {f["id"]: f["message"] for f in status.failures}
    assert set(failures) == {no_pattern["id"], bad_id["id"], broken_pattern["id"]}
    assert "pattern" in failures[no_pattern["id"]]
    assert "pattern" in failures[broken_pattern["id"]]
    assert all(message.strip() for message in failures.values())
    # The refusals survive a round trip through the status endpoint.
    status.refresh()
    assert {f["id"]: f["message"] for f in status.failures} == failures
    assert by_id(alice.get_objects()["objects"]) == by_id(served(*good))


def test_get_object_versions_and_manifest(live_server: LiveServer, world: World) -> None:
    alice = Node(live_server, world, "alice").collection("fr-ru")
    first = indicator(7)
    second = {**first, "modified": T1, "name": "Bad address 7, confirmed"}
    third = {**first, "modified": T2, "revoked": True}
    other = identity("Source")
    for version in (first, second, third):
        assert alice.add_objects(envelope(version)).success_count == 1
    assert alice.add_objects(envelope(other)).success_count == 1

    boris = Node(live_server, world, "boris").collection("fr-ru")
    assert boris.get_object(first["id"])["objects"] == served(third)
    assert boris.get_object(first["id"], version="first")["objects"] == served(first)
    assert boris.get_object(first["id"], version=T1)["objects"] == served(second)
    every = boris.get_object(first["id"], version="all")["objects"]
    assert sorted(every, key=lambda o: o["modified"]) == served(first, second, third)

    versions = boris.object_versions(first["id"])
    assert versions["more"] is False
    assert [version_key(v) for v in versions["versions"]] == [version_key(t) for t in (T0, T1, T2)]

    latest = boris.get_objects()["objects"]
    assert by_id(latest) == by_id(served(third, other))
    assert boris.get_objects(type="identity")["objects"] == served(other)
    assert boris.get_objects(id=other["id"])["objects"] == served(other)

    manifest = boris.get_manifest()
    assert manifest["more"] is False
    records = {r["id"]: r for r in manifest["objects"]}
    assert set(records) == {first["id"], other["id"]}
    assert version_key(records[first["id"]]["version"]) == version_key(T2)
    assert version_key(records[other["id"]]["version"]) == version_key(T0)
    for record in records.values():
        assert record["media_type"] == "application/stix+json;version=2.1"
        assert version_key(record["date_added"])
    all_versions = boris.get_manifest(version="all")["objects"]
    assert Counter(r["id"] for r in all_versions) == {first["id"]: 3, other["id"]: 1}

    with pytest.raises(requests.HTTPError) as missing:
        boris.get_object("indicator--00000000-0000-4000-8000-000000000000")
    assert answer(missing).status_code == 404


def test_as_pages_returns_every_object_exactly_once(live_server: LiveServer, world: World) -> None:
    alice = Node(live_server, world, "alice").collection("fr-ru")
    sent = [indicator(i) for i in range(230)]
    status = alice.add_objects(envelope(*sent))
    assert status.success_count == len(sent)

    boris = Node(live_server, world, "boris").collection("fr-ru")
    pages = list(as_pages(boris.get_objects, per_request=40))
    assert [len(p.get("objects", [])) for p in pages] == [40] * 5 + [30]
    assert [p["more"] for p in pages] == [True] * 5 + [False]
    received = [o for p in pages for o in p["objects"]]
    assert Counter(o["id"] for o in received) == Counter(o["id"] for o in sent)
    assert by_id(received) == by_id(served(*sent))

    manifests = list(as_pages(boris.get_manifest, per_request=100))
    assert [len(p["objects"]) for p in manifests] == [100, 100, 30]
    assert sorted(r["id"] for p in manifests for r in p["objects"]) == sorted(o["id"] for o in sent)

    # Objects added while a client pages are served after what it has read, never twice.
    late = [indicator(1000 + i) for i in range(15)]
    reader = as_pages(boris.get_objects, per_request=50)
    seen = list(next(reader)["objects"])
    assert alice.add_objects(envelope(*late)).success_count == len(late)
    for page in reader:
        seen += page.get("objects", [])
    assert Counter(o["id"] for o in seen) == Counter(o["id"] for o in sent + late)


def test_stix2_library_round_trip(live_server: LiveServer, world: World) -> None:
    alice = Node(live_server, world, "alice")
    bad_ip = stix2.v21.Indicator(
        name="C2 address",
        pattern="[ipv4-addr:value = '198.51.100.7']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
    )
    malware = stix2.v21.Malware(name="Sandworm loader", is_family=True)
    link = stix2.v21.Relationship(bad_ip, "indicates", malware)
    renamed = bad_ip.new_version(name="C2 address (confirmed)")

    sink = stix2.TAXIICollectionSink(alice.collection("fr-ru"))
    sink.add([bad_ip, malware, link])
    sink.add(stix2.v21.Bundle(renamed))

    source = stix2.TAXIICollectionSource(Node(live_server, world, "boris").collection("fr-ru"))
    got = source.get(bad_ip.id)
    assert json.loads(got.serialize()) == served(json.loads(renamed.serialize()))[0]
    assert source.get(malware.id).name == "Sandworm loader"
    assert source.get("malware--00000000-0000-4000-8000-000000000000") is None

    indicators = source.query([Filter("type", "=", "indicator")])
    assert [json.loads(o.serialize()) for o in indicators] == served(
        json.loads(renamed.serialize())
    )
    everything = source.query([])
    assert {o.id for o in everything} == {bad_ip.id, malware.id, link.id}
    related = source.query(
        [Filter("type", "=", "relationship"), Filter("source_ref", "=", bad_ip.id)]
    )
    assert [o.id for o in related] == [link.id]
    assert related[0].target_ref == malware.id
    versions = source.all_versions(bad_ip.id)
    assert sorted(str(v.modified) for v in versions) == sorted(
        str(v.modified) for v in (bad_ip, renamed)
    )
