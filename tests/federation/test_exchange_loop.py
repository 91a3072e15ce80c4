"""The exchange loop across two real nodes: anna (atlas, node A) shares tips to boreal,
whose people work on node B; boreal acts on them there with the ordinary commands; A's
sync brings the feedback back and ``tips sent``, ``tips show``, ``partners`` on A show
boreal's states and figures as if boreal were local.

One topology per backend carries the whole story (a server start is the expensive part):
an actioned tip (7 arrests), a tip closed with no link found whose watch on B later hits,
a third organisation on B that never sees either tip nor any feedback, and feedback forged
by the peer for an organisation it does not speak for, which changes nothing on A.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from passerelle.exchange.feedback import load_tip
from passerelle.objects.ingest import ingest
from passerelle.objects.latest import bodies_of, latest_visible_versions
from passerelle.policy import directory
from passerelle.policy.directory import Membership, viewer_by_name
from passerelle.policy.roles import Role
from passerelle.stix.markings import FEEDBACK, HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.schema import channel_objects, objects, tip_receipts, tips
from tests.cli_runner import Run, cli_runner
from tests.exchange_support import cell_report
from tests.federation.conftest import Topology
from tests.federation.support import NodeDb, post, read_all
from tests.stixgen import identity, indicator, stix_id
from tests.world import NODE_HOOKS

NOW = "2026-06-01T00:00:00.000Z"


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def _share(topology: Topology, items: list[dict[str, Any]], action: str) -> str:
    """anna stores a report in atlas's own channel, then shares it to ``ab`` as a tip."""
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    stored = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ax"], items)
    assert not stored.failures
    shared = topology.run_a(
        "share", items[-1]["id"], "--channel", "ab", "--action-requested", action, "--json",
        user="anna",
    )  # fmt: skip
    return str(json.loads(_ok(shared))["id"])


def _add_cobalt(b: NodeDb) -> None:
    """A third organisation on B, with a channel of its own with boreal."""
    with b.database.write() as conn:
        directory.add_organisation(conn, "cobalt")
        b.tokens["cora"] = directory.add_user(conn, "cobalt", "cora", Role.LIAISON)
        members = [Membership("boreal", True, True), Membership("cobalt", True, True)]
        b.channels["bc"] = directory.add_channel(conn, "bc", members, alias="bc")


def _feedback_ids(found: list[dict[str, Any]], tip_id: str) -> list[str]:
    return [
        o["id"]
        for o in found
        if o.get("extensions", {}).get(HANDLING_EXTENSION_ID, {}).get(FEEDBACK, {}).get("tip")
        == tip_id
    ]


def _seen(node: NodeDb, username: str, ids: list[str]) -> dict[str, str]:
    with node.database.read() as conn:
        return latest_visible_versions(conn, viewer_by_name(conn, username), ids)


def _boreal_acts_on_the_cell_tip(run_b: Run, tip_id: str) -> None:
    inbox = json.loads(_ok(run_b("tips", "inbox", "--json", user="bella")))
    [arrived] = [t for t in inbox["tips"] if t["id"] == tip_id]
    assert (arrived["side"], arrived["producer"]) == ("received", "atlas")
    assert arrived["action_requested"] == "find and stop the cell"
    assert arrived["receipts"][0]["state"] == "received"
    _ok(run_b("tips", "ack", tip_id, user="bella"))
    _ok(run_b("tips", "investigate", tip_id, user="bella"))
    _ok(run_b("tips", "close", tip_id, "--outcome", "actioned", "--arrests", "7",
              "--seizures", "explosive components, automatic weapons", user="bella"))  # fmt: skip


def _a_sees_the_outcome(topology: Topology, tip_id: str) -> None:
    sent = json.loads(_ok(topology.run_a("tips", "sent", "--all", "--json", user="anna")))
    [receipt] = next(t for t in sent if t["id"] == tip_id)["receipts"]
    assert (receipt["organisation"], receipt["state"]) == ("boreal", "closed")
    assert (receipt["outcome"], receipt["arrests"]) == ("actioned", 7)
    assert receipt["seizures"] == "explosive components, automatic weapons"
    assert receipt["owner"] == "bella"  # named on B, a user of boreal known on A too
    assert all(receipt[k] for k in ("acknowledged_at", "investigating_at", "closed_at"))
    shown = json.loads(_ok(topology.run_a("tips", "show", tip_id, "--json", user="anna")))
    states = [e["state"] for e in shown["receipts"][0]["history"]]
    assert states == ["received", "received", "acknowledged", "investigating", "closed"]
    assert "closed (actioned)" in _ok(topology.run_a("tips", "sent", "--all", user="anna"))
    partners = json.loads(_ok(topology.run_a("partners", "--json", user="anna")))
    to_boreal = next(p for p in partners if p["partner"] == "boreal")["to_them"]
    assert (to_boreal["tips"], to_boreal["outcomes"]) == (1, {"actioned": 1})
    assert to_boreal["acknowledged_pct"] == 100.0
    assert "(none)" in _ok(topology.run_a("tips", "overdue", user="anna"))


def _watch_hits_on_b_and_a_is_told(topology: Topology, run_b: Run, warning: list[Any]) -> str:
    tip_id = _share(topology, warning, "check this man")
    _ok(topology.run_a("sync", "--once"))
    _ok(run_b("tips", "ack", tip_id, user="bella"))
    closing = ("--outcome", "no_link_found", "--checked", "border crossings", "--json")
    closed = json.loads(_ok(run_b("tips", "close", tip_id, *closing, user="bella")))
    assert len(closed["receipts"][0]["watches"]) == 2  # the group and its leader, on B
    travel = identity("Ivan Petroff", contact_information="tel. +7 912 345-67-89",
                      object_marking_refs=[TLP2_IDS[Tlp.AMBER]])  # fmt: skip
    post(topology.b_server, topology.b.tokens["bella"], topology.b.channels["bc"].collection_id,
         [travel])  # fmt: skip
    hits = json.loads(_ok(run_b("watch", "hits", "--json", user="bella")))
    assert [h["object_id"] for h in hits] == [travel["id"]]
    assert hits[0]["report_state"] == "sent"
    _ok(topology.run_a("sync", "--once"))
    shown = json.loads(_ok(topology.run_a("tips", "show", tip_id, "--json", user="anna")))
    receipt = shown["receipts"][0]
    assert (receipt["state"], receipt["outcome"]) == ("closed", "no_link_found")
    assert receipt["checked"] == "border crossings"
    assert [e["state"] for e in receipt["history"]][-1] == "watch-hit"
    partners = json.loads(_ok(topology.run_a("partners", "--json", user="anna")))
    to_boreal = next(p for p in partners if p["partner"] == "boreal")["to_them"]
    assert to_boreal["watch_hits_reported"] == 1
    return tip_id


def test_tips_shared_across_nodes_come_back_with_their_outcomes(topology: Topology) -> None:
    topology.link("ab", "--push", "--pull")
    run_b = cli_runner(topology.b.url)
    _add_cobalt(topology.b)
    cell = cell_report()
    tip_id = _share(topology, cell, "find and stop the cell")
    pushed = _ok(topology.run_a("sync", "--once"))
    # The closure and anna's announcement leave; boreal's receipt written on A does not
    # (it is boreal's to write, on its own node).
    assert "4 accepted, 0 refused, 1 withheld" in pushed
    _boreal_acts_on_the_cell_tip(run_b, tip_id)
    _ok(topology.run_a("sync", "--once"))
    _a_sees_the_outcome(topology, tip_id)

    warning = cell_report()
    warned = _watch_hits_on_b_and_a_is_told(topology, run_b, warning)

    # Cobalt, on B, sees neither tip, nor any of their objects or feedback.
    on_b = read_all(topology.b_server, topology.b.tokens["bella"],
                    topology.b.channels["ab"].collection_id)  # fmt: skip
    ids = [o["id"] for o in on_b]
    assert _feedback_ids(on_b, tip_id)
    assert _feedback_ids(on_b, warned)
    assert _seen(topology.b, "cora", ids) == {}
    assert json.loads(_ok(run_b("tips", "inbox", "--json", user="cora")))["tips"] == []
    assert "no tip" in run_b("tips", "show", tip_id, user="cora").output
    # On A, the feedback that came back reaches atlas only (carl of cert sees none of it).
    on_a = read_all_a(topology)
    back = _feedback_ids(on_a, tip_id) + _feedback_ids(on_a, warned)
    assert back
    assert _seen(topology.a, "carl", back) == {}
    _forged_feedback_changes_nothing(topology, tip_id)
    _a_forged_receipt_announces_nothing(topology, warned)
    _rfis_are_asked_and_answered_across_nodes(topology, run_b, cell)
    _forged_announcements_open_nothing(topology, cell)
    _a_tip_that_may_not_leave_is_not_shared(topology)
    _in_a_community_channel_the_announcement_is_for_boreal_alone(topology, run_b)


def read_all_a(topology: Topology) -> list[dict[str, Any]]:
    """Every version in A's channel ab, as anna reads it (through the policy)."""
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        ids = list(
            conn.execute(
                select(channel_objects.c.stix_id).where(
                    channel_objects.c.channel_id == topology.a.channels["ab"].id
                )
            ).scalars()
        )
        versions = latest_visible_versions(conn, anna, ids)
        return list(bodies_of(conn, versions).values())


def _forged_feedback_changes_nothing(topology: Topology, tip_id: str) -> None:
    """boreal's node sends a state for cert's receipt, and one for a tip boreal never
    received: A stores them as boreal's notes and changes no receipt."""
    with topology.a.database.read() as conn:
        before = conn.execute(tip_receipts.select().order_by(tip_receipts.c.tip_id)).all()
        tip = load_tip(conn, tip_id)
    assert tip is not None

    def forged(tip_ref: str, org: str) -> dict[str, Any]:
        detail = {"tip": tip_ref, "kind": "tip-state", "organisation": org, "state": "closed",
                  "outcome": "refuted", "at": NOW}  # fmt: skip
        return _note(tip.stix_id, detail)

    unknown = "tip--00000000-0000-4000-8000-000000000000"
    remote = topology.b.channels["ab"].collection_id
    post(topology.b_server, topology.b.tokens["bella"], remote,
         [forged(tip_id, "cert"), forged(unknown, "boreal")])  # fmt: skip
    assert "2 stored" in _ok(topology.run_a("sync", "--once"))
    with topology.a.database.read() as conn:
        after = conn.execute(tip_receipts.select().order_by(tip_receipts.c.tip_id)).all()
    assert after == before


def _note(about: str, detail: dict[str, Any]) -> dict[str, Any]:
    """A Note carrying structured feedback, as anyone could write one."""
    return {
        "type": "note", "spec_version": "2.1", "id": stix_id("note"), "created": NOW,
        "modified": NOW, "content": "forged", "object_refs": [about],
        "object_marking_refs": [TLP2_IDS[Tlp.AMBER]],
        "extensions": {HANDLING_EXTENSION_ID: {"extension_type": "property-extension",
                                               FEEDBACK: detail}},
    }  # fmt: skip


def _forged_announcements_open_nothing(topology: Topology, cell: list[dict[str, Any]]) -> None:
    """On B, an announcement opens a tip only when atlas's node account writes it, for an
    organisation that reads the channel, about an object of atlas placed there."""
    report = cell[-1]

    def announcement(org: str, version: str = report["modified"]) -> dict[str, Any]:
        detail = {"tip": f"tip--{stix_id('x').split('--')[1]}", "kind": "tip-shared",
                  "organisation": org, "object": report["id"], "version": version}  # fmt: skip
        return _note(report["id"], detail)

    with topology.b.database.read() as conn:
        before = conn.execute(select(tips.c.id)).scalars().all()
    remote = topology.b.channels["ab"].collection_id
    post(topology.b_server, topology.b.tokens["bella"], remote, [announcement("boreal")])
    post(topology.b_server, topology.b.tokens["atlas-node"], remote,
         [announcement("cobalt"), announcement("atlas"),
          announcement("boreal", "2020-01-01T00:00:00.000000Z")])  # fmt: skip
    with topology.b.database.read() as conn:
        after = conn.execute(select(tips.c.id)).scalars().all()
    assert sorted(after) == sorted(before)
    assert len(before) == 2  # the two tips anna shared, and nothing else


def _a_tip_that_may_not_leave_is_not_shared(topology: Topology) -> None:
    """An H2 tip without its producer's grant could never reach boreal's node: sharing it
    is refused with the reason, and nothing is shared."""
    held = cell_report()
    held[-1]["extensions"] = {
        HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "handling_codes": ["H2"]}
    }
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        before = conn.execute(select(tips.c.id)).scalars().all()
    stored = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ax"], held)
    assert not stored.failures
    refused = topology.run_a("share", held[-1]["id"], "--channel", "ab", user="anna")
    assert refused.exit_code == 1
    assert "boreal works on the node of peer 'boreal'; this tip may not leave for it" in (
        refused.output
    )
    assert "H2: its producer has not granted it to 'boreal'" in refused.output
    assert "Traceback" not in refused.output
    with topology.a.database.read() as conn:
        assert conn.execute(select(tips.c.id)).scalars().all() == before
        placed = conn.execute(
            select(channel_objects.c.stix_id).where(
                channel_objects.c.channel_id == topology.a.channels["ab"].id,
                channel_objects.c.stix_id == held[-1]["id"],
            )
        ).all()
    assert placed == []


def _ask(topology: Topology, purpose: str, *more: str) -> str:
    asked = topology.run_a("rfi", "send", "--to", "boreal", "--purpose", purpose, *more,
                           "--json", user="anna")  # fmt: skip
    return str(json.loads(_ok(asked))["id"])


def _received_on_b(run_b: Run, username: str) -> dict[str, dict[str, Any]]:
    """The RFIs a user of B may know of, in detail, by purpose."""
    rows = json.loads(_ok(run_b("rfi", "list", "--json", user=username)))
    shown = [json.loads(_ok(run_b("rfi", "show", r["id"], "--json", user=username))) for r in rows]
    return {d["purpose"].split("\n")[0]: d for d in shown}


def _rfis_are_asked_and_answered_across_nodes(
    topology: Topology, run_b: Run, cell: list[dict[str, Any]]
) -> None:
    """anna asks boreal three RFIs on A; one is about an object boreal may not see, and
    never leaves; bella answers one on B and refuses the other; A shows both as closed."""
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    private = indicator(50, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ax"], [private])
    who = _ask(topology, "Who else is in the cell?", "--urgency", "urgent",
               "--about", cell[-1]["id"])  # fmt: skip
    news = _ask(topology, "Any news of the leader?", "--urgency", "normal")
    held = _ask(topology, "Seen this address?", "--urgency", "normal", "--about", private["id"])
    assert "RFIs 2 forwarded, 1 refused, 0 closed" in _ok(topology.run_a("sync", "--once"))
    kept = json.loads(_ok(topology.run_a("rfi", "show", held, "--json", user="anna")))
    assert kept["state"] == "refused"
    assert "which 'boreal' may not see in a channel pushed to its node" in kept["reason"]

    on_b = _received_on_b(run_b, "bella")
    assert set(on_b) == {"Who else is in the cell?", "Any news of the leader?"}
    asked_who = on_b["Who else is in the cell?"]
    assert (asked_who["from_org"], asked_who["urgency"]) == ("atlas", "urgent")
    assert asked_who["about"] == cell[-1]["id"]
    assert "(asked by anna of atlas)" in asked_who["purpose"]
    assert _received_on_b(run_b, "cora") == {}
    member = identity("Second member", object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    post(topology.b_server, topology.b.tokens["bella"], topology.b.channels["ab"].collection_id,
         [member])  # fmt: skip
    _ok(run_b("rfi", "answer", asked_who["id"], "--object", member["id"], user="bella"))
    _ok(run_b("rfi", "refuse", on_b["Any news of the leader?"]["id"], "--reason",
              "not ours to say", user="bella"))  # fmt: skip

    assert "RFIs 0 forwarded, 0 refused, 2 closed" in _ok(topology.run_a("sync", "--once"))
    answered = json.loads(_ok(topology.run_a("rfi", "show", who, "--json", user="anna")))
    assert (answered["state"], answered["answers"]) == ("answered", [member["id"]])
    assert answered["closed_by"] == "bella"
    refused = json.loads(_ok(topology.run_a("rfi", "show", news, "--json", user="anna")))
    assert (refused["state"], refused["reason"]) == ("refused", "not ours to say")
    partners = json.loads(_ok(topology.run_a("partners", "--json", user="anna")))
    to_boreal = next(p for p in partners if p["partner"] == "boreal")["to_them"]
    assert (to_boreal["rfis_asked"], to_boreal["rfis_answered"]) == (3, 1)
    assert to_boreal["rfis_refused"] == 2
    assert "RFIs 0 forwarded, 0 refused, 0 closed" in _ok(topology.run_a("sync", "--once"))


def _in_a_community_channel_the_announcement_is_for_boreal_alone(
    topology: Topology, run_b: Run
) -> None:
    """Shared to boreal in a channel cert reads too: the announcement goes TLP:RED to
    boreal's node account, so that it reaches B and nobody of cert (nor bella on A) sees
    it; on B the tip opens for boreal."""
    a = topology.a
    with a.database.write() as conn:
        members = [Membership(org, True, True) for org in ("atlas", "boreal", "cert")]
        a.channels["abc"] = directory.add_channel(conn, "abc", members, alias="abc")
    topology.link("abc", "--push")
    items = cell_report()
    with a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    assert not ingest(a.database, NODE_HOOKS, anna, a.channels["ax"], items).failures
    shared = topology.run_a("share", items[-1]["id"], "--channel", "abc", "--recipient", "bella",
                            "--json", user="anna")  # fmt: skip
    tip_id = str(json.loads(_ok(shared))["id"])
    with a.database.read() as conn:
        ids = list(conn.execute(select(channel_objects.c.stix_id).where(
            channel_objects.c.channel_id == a.channels["abc"].id)).scalars())  # fmt: skip
        bodies = bodies_of(conn, latest_visible_versions(conn, anna, ids))
    announced = [
        o for o in bodies.values()
        if o.get("extensions", {}).get(HANDLING_EXTENSION_ID, {}).get(FEEDBACK, {}).get("kind")
        == "tip-shared"
    ]  # fmt: skip
    [note] = announced
    assert note["object_marking_refs"] == [TLP2_IDS[Tlp.RED]]
    assert note["extensions"][HANDLING_EXTENSION_ID]["recipients"] == ["boreal-node"]
    assert _seen(a, "carl", [note["id"]]) == {}
    assert _seen(a, "bella", [note["id"]]) == {}
    assert "0 refused" in _ok(topology.run_a("sync", "--once"))
    inbox = json.loads(_ok(run_b("tips", "inbox", "--json", user="bella")))
    assert tip_id in [t["id"] for t in inbox["tips"]]


def _announcements(topology: Topology) -> list[str]:
    with topology.a.database.read() as conn:
        rows = conn.execute(select(objects.c.body).where(objects.c.type == "note")).scalars()
        return [
            o["id"]
            for o in map(json.loads, rows)
            if o["extensions"][HANDLING_EXTENSION_ID].get(FEEDBACK, {}).get("kind") == "tip-shared"
        ]


def _a_forged_receipt_announces_nothing(topology: Topology, tip_id: str) -> None:
    """On A, bella (boreal, a person there) writes a Note that looks like the receipt
    sharing writes: no announcement is made, nothing more is queued for B."""
    before = _announcements(topology)
    with topology.a.database.read() as conn:
        bella = viewer_by_name(conn, "bella")
        tip = load_tip(conn, tip_id)
    assert tip is not None
    detail = {"tip": tip_id, "kind": "tip-state", "organisation": "boreal", "state": "received",
              "at": NOW}  # fmt: skip
    written = ingest(topology.a.database, NODE_HOOKS, bella, topology.a.channels["ab"],
                     [_note(tip.stix_id, detail)])  # fmt: skip
    assert not written.failures
    assert _announcements(topology) == before
    assert len(before) == 2
