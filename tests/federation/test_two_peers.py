"""Retractions reaching every peer: node A pushes its channel ``ab`` to two receiving
nodes, B (each backend in turn) and B2 (SQLite). A rectification (a new version), an
erasure from the channel (TAXII DELETE) and an erasure for data-protection reasons
(``passerelle erase``) each reach both, are applied there and acknowledged, and
``peer pending`` lists each until it is. Before the first sync, ``peer status`` shows
the lag in objects of each peer. An object whose TLP was defaulted on A reaches neither
until its producer sets one in a new version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from passerelle.objects.ingest import ingest
from passerelle.objects.queries import ObjectFilter, entries_page, object_entries
from passerelle.objects.removal import remove_from_channel
from passerelle.objects.search import SearchFilter, search
from passerelle.policy import directory
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.cli_runner import Run, cli_runner
from tests.federation.support import TAXII, NodeDb, build_a, build_b, read_all, sqlite_copy
from tests.live_server import LiveServer
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

LATER = "2026-02-01T00:00:00.000Z"
PEERS = ("boreal", "boreal2")


@dataclass
class TwoPeers:
    """Node A, and the two receiving nodes by A's name for them, each serving."""

    a: NodeDb
    far: dict[str, tuple[NodeDb, LiveServer]]
    run_a: Run


@pytest.fixture
def two_peers(
    database_url: str, sqlite_template: Path, tmp_path: Path, audit_key_file: Path
) -> Iterator[TwoPeers]:
    """A (SQLite), B (the backend under test) and B2 (SQLite), both registered on A and
    linked to A's channel ``ab`` for push; atlas's admin ``ada`` on A."""
    a = build_a(sqlite_copy(sqlite_template, tmp_path / "a.db"), audit_key_file)
    with a.database.write() as conn:
        a.tokens["ada"] = directory.add_user(conn, "atlas", "ada", Role.ADMIN)
    urls = {"boreal": database_url, "boreal2": sqlite_copy(sqlite_template, tmp_path / "b2.db")}
    nodes = {name: build_b(url, audit_key_file) for name, url in urls.items()}
    run_a = cli_runner(a.url)
    with ExitStack() as stack:
        far = {}
        for name, node in nodes.items():
            (tmp_path / f"{name}-logs").mkdir()
            server = stack.enter_context(LiveServer(node.url, tmp_path / f"{name}-logs"))
            far[name] = (node, server)
            token = tmp_path / f"{name}.token"
            token.write_text(node.tokens["atlas-node"] + "\n")
            token.chmod(0o600)
            for args in (
                ("add", name, "--url", server.api_root_url, "--org", "boreal",
                 "--speaks-for", "atlas", "--token-file", str(token)),
                ("link", name, "--channel", "ab", "--remote-collection",
                 node.channels["ab"].collection_id, "--push"),
            ):  # fmt: skip
                done = run_a("peer", *args)
                assert done.exit_code == 0, done.output
        yield TwoPeers(a, far, run_a)
    for node in (a, *nodes.values()):
        node.database.dispose()


def _store(world: TwoPeers, objects: list[dict[str, Any]]) -> None:
    with world.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    result = ingest(world.a.database, NODE_HOOKS, anna, world.a.channels["ab"], objects)
    assert not result.failures, result.failures


def _delete_from_channel(world: TwoPeers, stix_id: str) -> None:
    """Take every version of an object out of A's channel ab, as anna (TAXII DELETE)."""
    channel = world.a.channels["ab"]
    with world.a.database.write() as conn:
        anna = viewer_by_name(conn, "anna")
        entries = object_entries(
            conn, anna, channel, ObjectFilter.parse(None, stix_id, None, "all")
        )
        assert entries
        remove_from_channel(conn, NODE_HOOKS, anna, channel, entries, 1)


def _pending(world: TwoPeers) -> set[tuple[str, str, str]]:
    """(peer, kind, object) of every retraction not yet acknowledged."""
    done = world.run_a("peer", "pending", "--json")
    assert done.exit_code == 0, done.output
    return {(r["peer"], r["kind"], r["stix_id"]) for r in json.loads(done.output)}


def _lag(world: TwoPeers) -> dict[str, int]:
    """The lag in objects (versions waiting to be sent) of each peer, as ``peer status``
    shows it."""
    done = world.run_a("peer", "status", "--json")
    assert done.exit_code == 0, done.output
    return {s["peer"]: s["pending"] for s in json.loads(done.output)}


def _sync(world: TwoPeers) -> str:
    done = world.run_a("sync", "--once")
    assert done.exit_code == 0, done.output
    return str(done.output)


def _found_elsewhere(node: NodeDb, stix_id: str) -> list[str]:
    """Where else the far node's liaison still meets the object: its search (the index
    behind the search page) and an export of channel ab."""
    met = []
    with node.database.read() as conn:
        bella = viewer_by_name(conn, "bella")
        found = search(conn, bella, SearchFilter(), 1000).found
    if stix_id in {f.stix_id for f in found}:
        met.append("search")
    exported = cli_runner(node.url)("export", "--channel", "ab", "--all-versions", user="bella")
    assert exported.exit_code == 0, exported.output
    if stix_id in exported.stdout:
        met.append("export")
    return met


def _reads(node: NodeDb, server: LiveServer, stix_id: str) -> list[int]:
    """The status of every TAXII read of the object on a far node, as its liaison."""
    base = f"{server.api_root_url}collections/{node.channels['ab'].collection_id}/objects/"
    headers = {"Accept": TAXII, "Authorization": f"Bearer {node.tokens['bella']}"}
    with httpx2.Client(trust_env=False, timeout=20) as client:
        return [
            client.get(f"{base}{stix_id}/", headers=headers).status_code,
            client.get(f"{base}{stix_id}/versions/", headers=headers).status_code,
        ]


def test_rectification_and_erasures_reach_both_peers_and_are_acknowledged(
    two_peers: TwoPeers,
) -> None:
    world = two_peers
    green = [TLP2_IDS[Tlp.GREEN]]
    rectified, deleted, erased, kept = (indicator(i, object_marking_refs=green) for i in range(4))
    _store(world, [rectified, deleted, erased, kept])
    # Before a sync, the lag in objects is what waits for each peer.
    assert _lag(world) == {"boreal": 4, "boreal2": 4}
    out = _sync(world)
    assert _lag(world) == {"boreal": 0, "boreal2": 0}
    assert out.count("4 accepted, 0 refused") == 2, out
    for node, server in world.far.values():
        ids = {
            o["id"]
            for o in read_all(server, node.tokens["bella"], node.channels["ab"].collection_id)
        }
        assert ids == {rectified["id"], deleted["id"], erased["id"], kept["id"]}

    _store(world, [{**rectified, "modified": LATER, "name": "rectified"}])
    _delete_from_channel(world, deleted["id"])
    refused = world.run_a("erase", erased["id"], "--reason", "data subject's request", user="anna")
    assert refused.exit_code != 0
    assert "only an admin or auditor" in refused.output
    done = world.run_a("erase", erased["id"], "--reason", "data subject's request", user="ada")
    assert done.exit_code == 0, done.output
    assert "1 version(s) out of 1 channel(s)" in done.output
    owed = {
        (peer, kind, stix_id)
        for peer in PEERS
        for kind, stix_id in (("rectify", rectified["id"]), ("erase", deleted["id"]),
                              ("erase", erased["id"]))
    }  # fmt: skip
    assert _pending(world) == owed

    out = _sync(world)
    assert out.count("retractions 3 acknowledged, 0 refused, 0 deferred") == 2, out
    assert _pending(world) == set()
    for node, server in world.far.values():
        held = read_all(server, node.tokens["bella"], node.channels["ab"].collection_id)
        assert {(o["id"], o.get("name")) for o in held} == {
            (rectified["id"], rectified["name"]),
            (rectified["id"], "rectified"),
            (kept["id"], kept["name"]),
        }
        for gone in (deleted["id"], erased["id"]):
            assert _reads(node, server, gone) == [404, 404]
            assert _found_elsewhere(node, gone) == []
        assert _found_elsewhere(node, kept["id"]) == ["search", "export"]
    status = json.loads(world.run_a("peer", "status", "--json").output)
    assert [(s["retractions_pending"], s["retractions_refused"]) for s in status] == [(0, 0)] * 2


def _served_on_a(world: TwoPeers, stix_id: str) -> dict[str, dict[str, Any]]:
    """Every version of an object as A serves it to anna in channel ab, by its modified."""
    with world.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        flt = ObjectFilter.parse(None, stix_id, None, "all")
        page = entries_page(conn, anna, world.a.channels["ab"], flt, 100, None, True)
    return {(obj := json.loads(e.body))["modified"]: obj for e in page.entries}


def test_an_object_whose_tlp_was_defaulted_leaves_only_once_its_producer_sets_one(
    two_peers: TwoPeers,
) -> None:
    world = two_peers
    unmarked = indicator(5)  # the channel's default, TLP:AMBER, applies on A
    _store(world, [unmarked])
    out = _sync(world)
    assert out.count("0 accepted, 0 refused, 1 withheld") == 2, out
    for name in PEERS:
        shown = world.run_a("peer", "status", name)
        assert "set no TLP" in shown.output, shown.output
        assert "object_marking_refs" in shown.output
    # The producer's own people see it too, with the fix; nobody else hears of it.
    listed = world.run_a("peer", "withheld", "--user", "anna", "--json")
    assert listed.exit_code == 0, listed.output
    page = json.loads(listed.output)
    assert [(r["stix_id"], r["peer_org"]) for r in page["withheld"]] == [
        (unmarked["id"], "boreal")
    ] * len(PEERS)
    assert all("object_marking_refs" in r["hint"] for r in page["withheld"])
    assert "http" not in listed.output
    for other in ("bella", "carl"):
        asked = world.run_a("peer", "withheld", "--user", other, "--object", unmarked["id"])
        assert asked.exit_code == 0, asked.output
        assert asked.output.strip() == "(none)"
    marked = {**unmarked, "modified": LATER, "object_marking_refs": [TLP2_IDS[Tlp.AMBER]]}
    _store(world, [marked])
    out = _sync(world)
    assert out.count("1 accepted, 0 refused, 0 withheld") == 2, out
    served = _served_on_a(world, unmarked["id"])
    for node, server in world.far.values():
        held = read_all(server, node.tokens["bella"], node.channels["ab"].collection_id)
        assert [o["modified"] for o in held] == [LATER]
        # What B holds for (id, modified) is, as JSON, what A serves for it.
        assert held[0] == served[LATER]
