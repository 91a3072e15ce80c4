"""Pull from a second real node: B's collection is fetched into A's channel page by page
(``next``, every version), as writes of boreal's node account on A, from a cursor kept in
A's database; what A may not take is refused and listed with its reason."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from passerelle.federation import find_peer, pull_peer
from passerelle.objects.latest import latest_visible_versions
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.ownership import owners_of
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.store.federation_tables import federation_outbox, peer_cursors
from passerelle.store.schema import channel_objects, organisations
from tests.exchange_support import marked
from tests.federation.conftest import Topology
from tests.federation.support import post
from tests.live_server import run_cli
from tests.stixgen import identity, indicator
from tests.world import NODE_HOOKS

LATER = "2026-03-01T00:00:00.000Z"


def _bella_posts(topology: Topology, objects: list[dict[str, Any]]) -> None:
    remote = topology.b.channels["ab"].collection_id
    post(topology.b_server, topology.b.tokens["bella"], remote, objects)


def _seen_by_anna(topology: Topology, ids: list[str]) -> dict[str, str]:
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        return latest_visible_versions(conn, anna, ids)


def test_a_pulls_what_boreal_shares_on_b_once_and_by_cursor(topology: Topology) -> None:
    topology.link("ab", "--pull", "--push")
    green = [indicator(i, object_marking_refs=[TLP2_IDS[Tlp.GREEN]]) for i in range(5)]
    strict = indicator(7, object_marking_refs=[TLP2_IDS[Tlp.AMBER_STRICT]])
    red = marked(indicator(8), Tlp.RED, ("bella",))  # for bella alone: never reaches A
    forged = indicator(9, created_by_ref=identity("someone else")["id"])
    _bella_posts(topology, [*green, strict, red, forged])

    with topology.a.database.read() as conn:
        peer = find_peer(conn, "boreal")
    report = pull_peer(topology.a.database, NODE_HOOKS, peer, timeout=20, page_size=2)
    assert (report.stored, report.refused) == (6, 1)
    taken = [o["id"] for o in [*green, strict]]
    assert set(_seen_by_anna(topology, [*taken, red["id"], forged["id"]])) == set(taken)
    with topology.a.database.read() as conn:
        owners = owners_of(conn, taken)
        boreal = conn.execute(
            select(organisations.c.id).where(organisations.c.name == "boreal")
        ).scalar_one()
        cursor = conn.execute(select(peer_cursors)).one()
        queued = conn.execute(select(federation_outbox.c.stix_id)).scalars().all()
    assert set(owners.values()) == {boreal}  # written by boreal's node account
    assert cursor.next_token == ""
    assert cursor.added_after
    assert queued == []  # what a peer sent is never pushed back to it

    status = json.loads(topology.run_a("peer", "status", "boreal", "--json").output)[0]
    assert status["refused_here"] == 1
    assert "names another author than 'boreal'" in topology.run_a("peer", "status", "boreal").output

    # From the cursor: nothing again, then only what is new (a new version and an object).
    assert pull_peer(topology.a.database, NODE_HOOKS, peer, timeout=20).stored == 0
    newer = {**green[0], "modified": LATER, "name": "revised"}
    extra = indicator(11, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    _bella_posts(topology, [newer, extra])
    done = run_cli(topology.a.url, "sync", "--once", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pulled 2 stored, 0 known, 0 refused" in done.stdout
    with topology.a.database.read() as conn:
        versions = conn.execute(
            select(channel_objects.c.version).where(channel_objects.c.stix_id == green[0]["id"])
        ).scalars()
        assert len(set(versions)) == 2  # history kept: match[version]=all
