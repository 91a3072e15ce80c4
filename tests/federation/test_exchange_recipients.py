"""Loose ends of the exchange loop across nodes, on one two-node topology per backend:

- feedback that A pulls from B into another channel than the tip's is placed in the tip's
  channel too (where feedback given on A is placed), when its handling fits there;
- on B, a tip that came from A shows who shared it on A, as a person of atlas, and the
  node account it came through; an announcement cannot make it anyone else's;
- each recipient keeps its own state (boreal's people on A, boreal's node), shown on A
  by ``tips show`` and ``tips sent``; the receipt is the furthest of them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from passerelle.objects.ingest import ingest
from passerelle.objects.latest import bodies_of, latest_visible_versions
from passerelle.policy import directory
from passerelle.policy.directory import Membership, viewer_by_name
from passerelle.stix.markings import FEEDBACK, HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.schema import channel_objects, tips
from tests.cli_runner import Run, cli_runner
from tests.exchange_support import cell_report
from tests.federation.conftest import Topology
from tests.federation.support import post
from tests.federation.test_exchange_loop import NOW, _note, _ok, _share
from tests.world import NODE_HOOKS


def _in_channel(topology: Topology, title: str, ids: list[str]) -> set[str]:
    with topology.a.database.read() as conn:
        rows = conn.execute(
            select(channel_objects.c.stix_id).where(
                channel_objects.c.channel_id == topology.a.channels[title].id,
                channel_objects.c.stix_id.in_(ids),
            )
        ).scalars()
        return set(rows)


def _feedback_on_b(topology: Topology, tip_id: str) -> list[str]:
    """The ids of the feedback objects about the tip that boreal wrote on B."""
    with topology.b.database.read() as conn:
        bella = viewer_by_name(conn, "bella")
        ids = list(conn.execute(select(channel_objects.c.stix_id)).scalars())
        bodies = bodies_of(conn, latest_visible_versions(conn, bella, ids))
    return [
        i
        for i, o in bodies.items()
        if o.get("extensions", {}).get(HANDLING_EXTENSION_ID, {}).get(FEEDBACK, {}).get("tip")
        == tip_id
    ]


def _sharer_shows_on_b(topology: Topology, run_b: Run, tip_id: str, report: dict[str, Any]) -> None:
    shown = json.loads(_ok(run_b("tips", "show", tip_id, "--json", user="bella")))
    assert (shown["producer"], shown["shared_by"]) == ("atlas", "anna (atlas)")
    assert shown["shared_via"] == "atlas-node"
    assert "from:      atlas (anna (atlas) via atlas-node)" in _ok(
        run_b("tips", "show", tip_id, user="bella")
    )
    # An announcement naming a person of B, or a name that is no username: the tip is
    # still atlas's, the person only a name under atlas, never B's user.
    with topology.b.database.read() as conn:
        version = conn.execute(select(tips.c.version).where(tips.c.id == tip_id)).scalar()
    for n, claimed in enumerate(("bella", "carl of cert\n")):
        forged = f"tip--0000000{n}-0000-4000-8000-000000000000"
        detail = {"tip": forged, "kind": "tip-shared", "organisation": "boreal",
                  "object": report["id"], "version": version, "sharer": claimed}  # fmt: skip
        post(topology.b_server, topology.b.tokens["atlas-node"],
             topology.b.channels["ab"].collection_id, [_note(report["id"], detail)])  # fmt: skip
        opened = json.loads(_ok(run_b("tips", "show", forged, "--json", user="bella")))
        expected = "bella (atlas)" if n == 0 else "atlas"
        assert (opened["producer"], opened["shared_by"]) == ("atlas", expected)
        with topology.b.database.read() as conn:
            assert conn.execute(select(tips.c.shared_by).where(tips.c.id == forged)).scalar() == (
                conn.execute(select(tips.c.shared_by).where(tips.c.id == tip_id)).scalar()
            )  # the node account, as for every tip it announced


def _loose_feedback_is_not_placed(topology: Topology, tip_id: str, stix: str) -> None:
    """boreal's node writes into ``back`` a state looser than the tip's feedback (CLEAR
    for an AMBER tip): it stays out of the tip's channel (and, the tip being closed there
    already, moves nothing)."""
    detail = {"tip": tip_id, "kind": "tip-state", "organisation": "boreal",
              "state": "closed", "outcome": "refuted", "at": NOW}  # fmt: skip
    loose = _note(stix, detail)
    loose["object_marking_refs"] = [TLP2_IDS[Tlp.CLEAR]]
    with topology.a.database.read() as conn:
        node = viewer_by_name(conn, "boreal-node")
    written = ingest(topology.a.database, NODE_HOOKS, node, topology.a.channels["back"], [loose])
    assert not written.failures
    assert _in_channel(topology, "ab", [loose["id"]]) == set()
    assert _in_channel(topology, "back", [loose["id"]]) == {loose["id"]}


def test_feedback_recipients_and_sharer_across_nodes(topology: Topology) -> None:
    a = topology.a
    with a.database.write() as conn:
        members = [Membership("atlas", True, True), Membership("boreal", True, True)]
        a.channels["back"] = directory.add_channel(conn, "back", members, alias="back")
    topology.link("ab", "--push")  # the tip goes out through ab
    topology.link("back", "--pull")  # what boreal writes on B comes back into ``back``
    run_b = cli_runner(topology.b.url)
    cell = cell_report()
    tip_id = _share(topology, cell, "find and stop the cell")
    _ok(topology.run_a("sync", "--once"))
    _sharer_shows_on_b(topology, run_b, tip_id, cell[-1])

    _ok(run_b("tips", "ack", tip_id, user="bella"))
    _ok(topology.run_a("sync", "--once"))
    # bella, boreal's person on A, takes it further here while boreal's node closes it.
    _ok(topology.run_a("tips", "investigate", tip_id, user="bella"))
    _ok(run_b("tips", "investigate", tip_id, user="bella"))
    _ok(run_b("tips", "close", tip_id, "--outcome", "actioned", "--arrests", "7", user="bella"))
    _ok(topology.run_a("sync", "--once"))

    # Every feedback object boreal wrote on B is in the tip's channel on A, seen by anna.
    back = _feedback_on_b(topology, tip_id)
    assert len(back) >= 4  # receipt, acknowledgement, investigation, outcome (+ opinion)
    assert _in_channel(topology, "ab", back) == set(back)
    assert set(_seen_by(topology, "anna", back)) == set(back)

    shown = json.loads(_ok(topology.run_a("tips", "show", tip_id, "--json", user="anna")))
    [receipt] = shown["receipts"]
    assert (receipt["state"], receipt["outcome"], receipt["arrests"]) == ("closed", "actioned", 7)
    here, there = receipt["recipients"]
    assert (here["node"], here["state"], here["outcome"]) == (None, "investigating", None)
    assert (there["node"], there["state"], there["outcome"]) == (
        "boreal-node",
        "closed",
        "actioned",
    )
    assert (there["owner"], there["arrests"]) == ("bella", 7)
    sent = json.loads(_ok(topology.run_a("tips", "sent", "--all", "--json", user="anna")))
    listed = next(t for t in sent if t["id"] == tip_id)["receipts"][0]["recipients"]
    assert [(r["node"], r["state"]) for r in listed] == [
        (None, "investigating"), ("boreal-node", "closed"),
    ]  # fmt: skip
    text = _ok(topology.run_a("tips", "sent", "--all", user="anna"))
    assert "boreal here" in text
    assert "boreal via boreal-node" in text
    # boreal's people on A see their own receipt with both recipients; carl (cert) none.
    mine = json.loads(_ok(topology.run_a("tips", "show", tip_id, "--json", user="bella")))
    assert len(mine["receipts"][0]["recipients"]) == 2
    assert "no tip" in topology.run_a("tips", "show", tip_id, user="carl").output

    _loose_feedback_is_not_placed(topology, tip_id, cell[-1]["id"])
    after = json.loads(_ok(topology.run_a("tips", "show", tip_id, "--json", user="anna")))
    assert after["receipts"][0]["recipients"] == receipt["recipients"]  # closed never moves


def _seen_by(topology: Topology, username: str, ids: list[str]) -> dict[str, str]:
    with topology.a.database.read() as conn:
        return latest_visible_versions(conn, viewer_by_name(conn, username), ids)
