"""Three real nodes (tests/federation/three_nodes.py), started once for the module on each
backend: the seed scenario's failure made impossible across nodes, and the boundary
through a third node.

- The scenario: boreal (B) warns atlas (A) of a man; atlas closes the tip *no link found*,
  which starts a watch on A; cobalt's node (C) later sends A a record of the same man
  under a Cyrillic spelling; A's watch hits, and B is told (the hit flows back to B's
  receipt of the tip, as feedback).
- The boundary: B holds objects of atlas (pushed by A into a channel cobalt reads on B,
  which B pushes to C). C receives exactly those whose producer's grant, carried in the
  handling extension, lets boreal's node forward them to cobalt; never AMBER+STRICT, RED
  to people of another organisation, an H2 object without the grant, nor a report
  referring to a withheld object. C refuses, with its reason, any forwarded object
  without a valid grant that a misbehaving B posts directly.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from passerelle.federation import peers
from passerelle.objects.ingest import ingest
from passerelle.policy import actions, directory
from passerelle.policy.departure import FEDERATE, departure_refusal
from passerelle.policy.directory import Membership, find_organisation, viewer_by_name
from passerelle.stix.markings import FORWARDING, HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.timestamps import version_key
from passerelle.store.federation_tables import federation_outbox
from passerelle.store.schema import objects
from tests.conftest import BACKENDS
from tests.federation.support import TAXII
from tests.federation.three_nodes import Node, ThreeNodes, three_nodes
from tests.stixgen import T0, identity, indicator, stix_id
from tests.world import NODE_HOOKS


@pytest.fixture(scope="module", params=BACKENDS)
def nodes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeNodes]:
    """A and C on SQLite, B on the backend of this run; all serving HTTPS."""
    tmp = tmp_path_factory.mktemp("three-nodes")
    template = request.getfixturevalue("sqlite_template")
    urls = {}
    for name in ("a", "b", "c"):
        path = tmp / f"{name}.db"
        path.write_bytes(Path(template).read_bytes())
        urls[name] = f"sqlite:///{path}"
    if request.param == "postgresql":
        from tests.conftest import empty_postgres

        urls["b"] = request.getfixturevalue("postgres_url")
        empty_postgres(urls["b"])
    with three_nodes(urls, tmp) as made:
        made.link(made.b, "atlas", "ab", made.a, "ab", "--push", "--pull")
        made.link(made.c, "atlas", "ca", made.a, "ac", "--push")
        made.link(made.c, "atlas", "cab", made.a, "abc", "--push")
        made.link(made.a, "boreal", "af", made.b, "abc", "--push")
        made.link(made.b, "cobalt", "abc", made.c, "bc", "--push")
        yield made


def _store(node: Node, username: str, channel: str, items: list[dict[str, Any]]) -> None:
    with node.db.database.read() as conn:
        writer = viewer_by_name(conn, username)
    stored = ingest(node.db.database, NODE_HOOKS, writer, node.db.channels[channel], items)
    assert not stored.failures, stored.failures


def _marked(obj: dict[str, Any], tlp: Tlp, **handling: Any) -> dict[str, Any]:
    obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if handling:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **handling}
        }
    return obj


# The seed scenario's failure, across three nodes.


def _warning() -> list[dict[str, Any]]:
    """Boreal's warning about a man who radicalised, his name in Latin letters."""
    man = _marked(identity("Dzhokhar Tsarnaev"), Tlp.AMBER)
    report = _marked({
        "type": "report", "spec_version": "2.1", "id": stix_id("report"), "created": T0,
        "modified": T0, "name": "Radicalised, means to join armed groups abroad",
        "published": T0, "object_refs": [man["id"]],
    }, Tlp.AMBER)  # fmt: skip
    return [man, report]


def test_a_closed_tip_comes_back_to_life_when_a_third_node_sends_another_spelling(
    nodes: ThreeNodes,
) -> None:
    a, b, c = nodes.a, nodes.b, nodes.c
    warning = _warning()
    _store(b, "bella", "bx", warning)
    shared = b.ok("share", warning[-1]["id"], "--channel", "ab", "--action-requested",
                  "check this man", "--json", user="bella")  # fmt: skip
    tip_id = json.loads(shared)["id"]
    b.ok("sync", "--once", "--peer", "atlas")

    inbox = json.loads(a.ok("tips", "inbox", "--json", user="anna"))
    assert tip_id in [t["id"] for t in inbox["tips"]]
    a.ok("tips", "ack", tip_id, user="anna")
    closing = ("--outcome", "no_link_found", "--checked", "border crossings, visa files")
    closed = json.loads(a.ok("tips", "close", tip_id, *closing, "--json", user="anna"))
    assert closed["receipts"][0]["watches"]  # the man is on watch on A
    b.ok("sync", "--once", "--peer", "atlas")
    sent = json.loads(b.ok("tips", "show", tip_id, "--json", user="bella"))
    assert (sent["receipts"][0]["state"], sent["receipts"][0]["outcome"]) == (
        "closed",
        "no_link_found",
    )

    # Months later cobalt's node sends atlas travel records under the Cyrillic spelling:
    # one for atlas alone (boreal may not learn of it: the hit is not told), one in the
    # community channel boreal reads too (the hit is told).
    alone = _travel("Boarded a flight to Makhachkala")
    shared_too = _travel("Crossed into Dagestan by road")
    _store(c, "cora", "ca", [alone])
    _store(c, "cora", "cab", [shared_too])
    assert "2 accepted" in c.ok("sync", "--once")
    hits = json.loads(a.ok("watch", "hits", "--json", user="anna"))
    # Keyed to the Latin spelling on A, the watch hits the Cyrillic one.
    assert {h["matched"] for h in hits} == {"name:dzhokhar tsarnaev"}
    told = {h["object_id"]: (h["report_state"], h.get("report_reason", "")) for h in hits}
    assert told[shared_too["id"]][0] == "sent"
    assert told[alone["id"]] == (
        "withheld",
        "the matching object's handling rules do not allow telling the partner",
    )
    b.ok("sync", "--once", "--peer", "atlas")
    shown = json.loads(b.ok("tips", "show", tip_id, "--json", user="bella"))
    receipt = shown["receipts"][0]
    assert (receipt["organisation"], receipt["state"]) == ("atlas", "closed")
    assert receipt["checked"] == "border crossings, visa files"
    assert [e["state"] for e in receipt["history"]][-1] == "watch-hit"
    partners = json.loads(b.ok("partners", "--json", user="bella"))
    assert (
        next(p for p in partners if p["partner"] == "atlas")["to_them"]["watch_hits_reported"] == 1
    )
    # What cobalt sent atlas stays atlas's to share: its content never reached B.
    with b.db.database.read() as conn:
        held = set(conn.execute(select(objects.c.stix_id)).scalars())
    assert alone["id"] not in held
    assert shared_too["id"] not in held


def _travel(description: str) -> dict[str, Any]:
    return _marked(identity("Джохар Царнаев", description=description), Tlp.AMBER)


# The boundary through a third node.

GRANT = [{"by": "boreal", "to": "cobalt"}]


def _atlas_objects() -> dict[str, dict[str, Any]]:
    """Atlas's objects, each named by what it is; the comment says whether it reaches C."""
    made = {
        # Forwarded: the grant lets boreal's node send them to cobalt.
        "green granted": _marked(indicator(1), Tlp.GREEN, **{FORWARDING: GRANT}),
        "amber granted": _marked(indicator(2), Tlp.AMBER, **{FORWARDING: GRANT}),
        "h2 granted": _marked(indicator(3), Tlp.AMBER, handling_codes=["H2"],
                              **{FORWARDING: GRANT}),
        "h3 granted": _marked(indicator(4), Tlp.GREEN, handling_codes=["H3"],
                              h3_text="Ask atlas before any arrest.", **{FORWARDING: GRANT}),
        # Withheld by B.
        "green without grant": _marked(indicator(5), Tlp.GREEN),
        "amber granted to another": _marked(indicator(6), Tlp.AMBER,
                                            **{FORWARDING: [{"by": "boreal", "to": "atlas"}]}),
        "amber granted to another forwarder": _marked(
            indicator(7), Tlp.AMBER, **{FORWARDING: [{"by": "cobalt", "to": "cobalt"}]}),
        "amber+strict granted": _marked(indicator(8), Tlp.AMBER_STRICT, **{FORWARDING: GRANT}),
        "red to bella granted": _marked(indicator(9), Tlp.RED, recipients=["bella"],
                                        **{FORWARDING: GRANT}),
        "h2 without grant": _marked(indicator(10), Tlp.AMBER, handling_codes=["H2"]),
    }  # fmt: skip
    made["report on granted"] = _report([made["green granted"], made["amber granted"]], True)
    made["report on withheld"] = _report([made["green granted"], made["h2 without grant"]], True)
    made["relationship to amber+strict"] = _marked({
        "type": "relationship", "spec_version": "2.1", "id": stix_id("relationship"),
        "created": T0, "modified": T0, "relationship_type": "related-to",
        "source_ref": made["green granted"]["id"],
        "target_ref": made["amber+strict granted"]["id"],
    }, Tlp.GREEN, **{FORWARDING: GRANT})  # fmt: skip
    return made


def _report(refs: list[dict[str, Any]], granted: bool) -> dict[str, Any]:
    return _marked({
        "type": "report", "spec_version": "2.1", "id": stix_id("report"), "created": T0,
        "modified": T0, "name": "Atlas's report", "published": T0,
        "object_refs": [r["id"] for r in refs],
    }, Tlp.GREEN, **({FORWARDING: GRANT} if granted else {}))  # fmt: skip


FORWARDED = {"green granted", "amber granted", "h2 granted", "h3 granted", "report on granted"}


def test_a_third_node_receives_only_what_the_producers_grant_lets_the_second_forward(
    nodes: ThreeNodes,
) -> None:
    a, b, c = nodes.a, nodes.b, nodes.c
    made = _atlas_objects()
    with a.db.database.write() as conn:
        anna = viewer_by_name(conn, "anna")
    _store(a, "anna", "af", list(made.values()))
    with a.db.database.write() as conn:
        boreal = find_organisation(conn, "boreal").id
        for label in ("h2 granted", "h2 without grant"):  # atlas lets both reach boreal
            actions.grant(conn, anna, made[label]["id"], FEDERATE, org_id=boreal)
    assert "0 refused" in a.ok("sync", "--once")
    with b.db.database.read() as conn:
        on_b = set(conn.execute(select(objects.c.stix_id)).scalars())
    # All of them reached B (AMBER+STRICT: boreal is a member of af; RED: bella is
    # boreal's; H2: atlas granted boreal both): what follows is B's decision alone.
    assert {o["id"] for o in made.values()} <= on_b

    synced = b.ok("sync", "--once", "--peer", "cobalt")
    assert "0 refused" in synced
    on_c = _held(c)
    ids = {label: o["id"] for label, o in made.items()}
    assert {label for label, i in ids.items() if i in on_c} == FORWARDED

    reasons = _withheld(b)
    assert "only with its producer's grant to 'boreal'" in reasons[ids["green without grant"]]
    assert "only with its producer's grant" in reasons[ids["amber granted to another"]]
    assert "only with its producer's grant" in reasons[ids["amber granted to another forwarder"]]
    assert "AMBER+STRICT is never forwarded" in reasons[ids["amber+strict granted"]]
    assert "TLP:RED names a recipient who is not a user" in reasons[ids["red to bella granted"]]
    assert "only with its producer's grant" in reasons[ids["h2 without grant"]]
    assert f"refers to {ids['h2 without grant']}" in reasons[ids["report on withheld"]]
    assert "refers to" in reasons[ids["relationship to amber+strict"]]

    # Atlas grants later what it had not: the new version carrying the grant goes from A
    # to B to C (the earlier one, without the grant, stays on B).
    late = ids["green without grant"]
    assert "granted forward use" in a.ok("grant", late, "--forward", "cobalt", "--by",
                                         "boreal", user="anna")  # fmt: skip
    assert "1 accepted" in a.ok("sync", "--once")
    assert "1 accepted" in b.ok("sync", "--once", "--peer", "cobalt")
    with c.db.database.read() as conn:
        bodies = conn.execute(select(objects.c.body).where(objects.c.stix_id == late)).all()
    [arrived] = [json.loads(row.body) for row in bodies]
    assert arrived["modified"] > made["green without grant"]["modified"]
    assert arrived["extensions"][HANDLING_EXTENSION_ID][FORWARDING] == GRANT

    # On C the forwarded objects are atlas's: cora reads them as atlas's, and boreal's
    # node cannot add a version of them as boreal's own.
    read, withheld = _read(c, "cora", "bc")
    assert {o["id"] for o in read} | withheld == {ids[label] for label in FORWARDED} | {late}
    assert withheld == {ids["h3 granted"]}  # until cora acknowledges atlas's restriction
    assert all(o["created_by_ref"] == _identity("atlas") for o in read)
    newer = {**made["amber granted"], "modified": "2026-02-01T00:00:00.000Z"}
    del newer["extensions"]
    refused = _post(c, "boreal-node", "bc", [newer])
    assert "only the organisation that produced this object" in refused[newer["id"]]

    # Atlas erases one on A: the erasure reaches B, and B withdraws what it forwarded to C.
    erased = ids["amber granted"]
    with _client(a, "anna") as client:
        url = f"{a.server.api_root_url}collections/{a.collection('af')}/objects/{erased}/"
        assert client.delete(url).status_code == 200
    a.ok("sync", "--once")
    assert erased not in _ids_read(b, "bella", "abc")
    b.ok("sync", "--once", "--peer", "cobalt")
    assert erased not in _ids_read(c, "cora", "bc")
    assert json.loads(b.ok("peer", "pending", "cobalt", "--json")) == []
    # Boreal's node withdraws only what it forwarded: not cobalt's own object.
    own = _marked(indicator(30), Tlp.GREEN)
    _store(c, "cora", "bc", [own])
    with _client(c, "boreal-node") as client:
        url = f"{c.server.api_root_url}collections/{c.collection('bc')}/objects/{own['id']}/"
        assert client.delete(url).status_code == 403

    # A misbehaving B posts atlas's objects to C directly: each refused with its reason.
    forged = {
        "no grant": _authored(_marked(indicator(20), Tlp.GREEN)),
        "grant to another": _authored(_marked(indicator(21), Tlp.GREEN,
                                              **{FORWARDING: [{"by": "boreal", "to": "x"}]})),
        "strict": _authored(_marked(indicator(22), Tlp.AMBER_STRICT, **{FORWARDING: GRANT})),
        "red": _authored(_marked(indicator(23), Tlp.RED, recipients=["bella"],
                                 **{FORWARDING: GRANT})),
        "unknown producer": {**_marked(indicator(24), Tlp.GREEN, **{FORWARDING: GRANT}),
                             "created_by_ref": _identity("nobody")},
    }  # fmt: skip
    answered = _post(c, "boreal-node", "bc", list(forged.values()))
    said = {label: answered.get(o["id"], "") for label, o in forged.items()}
    assert "without its producer's grant" in said["no grant"]
    assert "has not let 'boreal' forward it to 'cobalt'" in said["grant to another"]
    assert "AMBER+STRICT is never forwarded" in said["strict"]
    assert "TLP:RED forwarded to 'bella'" in said["red"]
    assert "an organisation this node does not know" in said["unknown producer"]
    assert _held(c).isdisjoint(o["id"] for o in forged.values())


def _identity(org: str) -> str:
    from passerelle.stix.organisations import organisation_identity_id

    return organisation_identity_id(org)


def _authored(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "created_by_ref": _identity("atlas")}


def _held(node: Node) -> set[str]:
    with node.db.database.read() as conn:
        return set(conn.execute(select(objects.c.stix_id)).scalars())


def _withheld(node: Node) -> dict[str, str]:
    with node.db.database.read() as conn:
        rows = conn.execute(
            select(federation_outbox.c.stix_id, federation_outbox.c.reason).where(
                federation_outbox.c.state == "withheld"
            )
        )
        return {r.stix_id: r.reason for r in rows}


def _client(node: Node, username: str) -> httpx2.Client:
    headers = {"Accept": TAXII, "Content-Type": TAXII,
               "Authorization": f"Bearer {node.db.tokens[username]}"}  # fmt: skip
    verify = ssl.create_default_context(cafile=str(node.ca_file))
    return httpx2.Client(trust_env=False, timeout=20, headers=headers, verify=verify)


def _read(node: Node, username: str, channel: str) -> tuple[list[dict[str, Any]], set[str]]:
    """What a user reads in a collection, and the ids withheld until an H3 acknowledgement."""
    url = f"{node.server.api_root_url}collections/{node.collection(channel)}/objects/"
    with _client(node, username) as client:
        answer = client.get(url, params={"limit": "500"})
    assert answer.status_code == 200, answer.text
    withheld = {i for i in answer.headers.get("X-Passerelle-Withheld", "").split(",") if i}
    return list(answer.json().get("objects", [])), withheld


def _ids_read(node: Node, username: str, channel: str) -> set[str]:
    read, withheld = _read(node, username, channel)
    return {o["id"] for o in read} | withheld


def _post(node: Node, username: str, channel: str, items: list[dict[str, Any]]) -> dict[str, str]:
    """POST objects as a user; return the failures of the status, by id."""
    url = f"{node.server.api_root_url}collections/{node.collection(channel)}/objects/"
    with _client(node, username) as client:
        answer = client.post(url, json={"objects": items})
    assert answer.status_code == 202, answer.text
    return {f["id"]: f.get("message", "") for f in answer.json().get("failures", [])}


# A link made after the objects arrived; a forwarded object whose producer withdraws the
# grant in a new version.


def _channel(node: Node, title: str, orgs: tuple[str, ...]) -> None:
    """Add a channel to a node (its members read and write)."""
    with node.db.database.write() as conn:
        members = [Membership(org, True, True) for org in orgs]
        node.db.channels[title] = directory.add_channel(conn, title, members, alias=title)


def _queued(output: str) -> int:
    [line] = [x for x in output.splitlines() if "already held queued" in x]
    return int(line.split()[0])


def test_a_link_made_later_offers_the_backlog_and_a_withdrawn_grant_is_withdrawn(
    nodes: ThreeNodes,
) -> None:
    a, b, c = nodes.a, nodes.b, nodes.c
    _channel(a, "af2", ("atlas", "boreal"))
    _channel(b, "abc2", ("atlas", "boreal", "cobalt"))
    _channel(c, "bc2", ("boreal", "cobalt"))
    nodes.link(a, "boreal", "af2", b, "abc2", "--push")
    made = {
        "green granted": _marked(indicator(40), Tlp.GREEN, **{FORWARDING: GRANT}),
        "amber granted": _marked(indicator(41), Tlp.AMBER, **{FORWARDING: GRANT}),
        "green without grant": _marked(indicator(42), Tlp.GREEN),
        "amber+strict granted": _marked(indicator(43), Tlp.AMBER_STRICT, **{FORWARDING: GRANT}),
        "red to bella granted": _marked(indicator(44), Tlp.RED, recipients=["bella"],
                                        **{FORWARDING: GRANT}),
    }  # fmt: skip
    _store(a, "anna", "af2", list(made.values()))
    assert "0 refused" in a.ok("sync", "--once")
    own = _marked(indicator(45), Tlp.GREEN)
    _store(b, "bella", "abc2", [own])
    assert {o["id"] for o in made.values()} <= _held(b)

    # Linked only now: the whole backlog is offered (atlas's objects and bella's), once.
    linked = b.ok("peer", "link", "cobalt", "--channel", "abc2", "--remote-collection",
                  c.collection("bc2"), "--push")  # fmt: skip
    assert _queued(linked) == len(made) + 1
    again = b.ok("peer", "link", "cobalt", "--channel", "abc2", "--remote-collection",
                 c.collection("bc2"), "--push")  # fmt: skip
    assert _queued(again) == 0
    assert "0 refused" in b.ok("sync", "--once", "--peer", "cobalt")
    ids = {label: o["id"] for label, o in made.items()}
    forwarded = {ids["green granted"], ids["amber granted"], own["id"]}
    assert _ids_read(c, "cora", "bc2") == forwarded
    assert _held(c).isdisjoint(ids[k] for k in made if ids[k] not in forwarded)
    reasons = _withheld(b)
    assert "only with its producer's grant to 'boreal'" in reasons[ids["green without grant"]]
    assert "AMBER+STRICT is never forwarded" in reasons[ids["amber+strict granted"]]
    assert "TLP:RED names a recipient who is not a user" in reasons[ids["red to bella granted"]]
    # What was sent is not queued again by a later link.
    assert _queued(b.ok("peer", "link", "cobalt", "--channel", "abc2", "--remote-collection",
                        c.collection("bc2"), "--push")) == 0  # fmt: skip

    # Atlas issues new versions: one keeps the grant (forwarded as a rectification), one
    # drops it (withheld on B, and what C accepted of it is withdrawn there).
    kept = {**made["amber granted"], "modified": "2026-03-01T00:00:00.000Z"}
    dropped = {**made["green granted"], "modified": "2026-03-01T00:00:00.000Z"}
    del dropped["extensions"]
    _store(a, "anna", "af2", [kept, dropped])
    assert "2 accepted" in a.ok("sync", "--once", "--peer", "boreal")
    synced = b.ok("sync", "--once", "--peer", "cobalt")
    assert "1 accepted" in synced
    assert "1 withheld" in synced
    assert _ids_read(c, "cora", "bc2") == forwarded - {ids["green granted"]}
    read, _ = _read(c, "cora", "bc2")
    assert {o["modified"] for o in read if o["id"] == kept["id"]} == {kept["modified"]}
    assert json.loads(b.ok("peer", "pending", "cobalt", "--json")) == []
    assert "only with its producer's grant" in _withheld(b)[dropped["id"]]
    # The earlier version, which carried the grant, may no longer leave either.
    with b.db.database.read() as conn:
        peer = peers.find_peer(conn, "cobalt")
        said = departure_refusal(conn, peers.audience(conn, peer), b.db.channels["abc2"].id,
                                 dropped["id"], version_key(T0))  # fmt: skip
    assert "a later version of its producer" in said
    assert _queued(b.ok("peer", "link", "cobalt", "--channel", "abc2", "--remote-collection",
                        c.collection("bc2"), "--push")) == 0  # fmt: skip
