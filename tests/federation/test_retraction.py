"""Retractions that propagate between two real nodes: a revocation, a rectification our
rules keep here, and an erasure reach B, which acknowledges them; B refuses an erasure of
what another organisation produced, and A lists it refused; a peer that cannot be reached
is retried after a back-off kept in the database."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx2
from sqlalchemy import select

from passerelle.federation import find_peer
from passerelle.federation.retraction import ERASE, PENDING, backoff
from passerelle.objects.ingest import ingest
from passerelle.objects.queries import ObjectFilter, object_entries
from passerelle.objects.removal import remove_from_channel
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.timestamps import version_key
from passerelle.store.federation_tables import (
    federation_ledger,
    federation_retractions,
    peer_links,
    peers,
)
from passerelle.store.schema import audit_log
from tests.federation.conftest import Topology
from tests.federation.support import TAXII, post, read_all
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

LATER = "2026-02-01T00:00:00.000Z"


def _sync(topology: Topology, ok: bool = True) -> str:
    result = topology.run_a("sync", "--once")
    assert (result.exit_code == 0) is ok, result.output
    return str(result.output)


def _pending(topology: Topology) -> list[dict[str, Any]]:
    result = topology.run_a("peer", "pending", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def _store(topology: Topology, objects: list[dict[str, Any]]) -> None:
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    result = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ab"], objects)
    assert not result.failures, result.failures


def _delete_on_a(topology: Topology, stix_id: str) -> None:
    """Take every version of an object out of A's channel ab, as anna (TAXII DELETE)."""
    channel = topology.a.channels["ab"]
    with topology.a.database.write() as conn:
        anna = viewer_by_name(conn, "anna")
        flt = ObjectFilter.parse(None, stix_id, None, "all")
        entries = object_entries(conn, anna, channel, flt)
        assert entries
        remove_from_channel(conn, NODE_HOOKS, anna, channel, entries, 1)


def _b_audit(topology: Topology, action: str) -> list[tuple[str, list[str]]]:
    with topology.b.database.read() as conn:
        rows = conn.execute(
            select(audit_log.c.username, audit_log.c.object_ids).where(audit_log.c.action == action)
        ).all()
    return [(r.username, json.loads(r.object_ids)) for r in rows]


def test_revocation_rectification_and_erasure_reach_b_and_are_acknowledged(
    topology: Topology,
) -> None:
    topology.link("ab", "--push")
    green = [TLP2_IDS[Tlp.GREEN]]
    revoked, rectified, erased = (indicator(i, object_marking_refs=green) for i in range(3))
    h2 = {HANDLING_EXTENSION_ID: {"extension_type": "property-extension",
                                  "handling_codes": ["H2"]}}  # fmt: skip
    never_sent = indicator(7, object_marking_refs=green, extensions=h2)  # withheld from B
    _store(topology, [revoked, rectified, erased, never_sent])
    assert "3 accepted, 0 refused, 1 withheld" in _sync(topology)

    _store(
        topology,
        [
            {**revoked, "modified": LATER, "revoked": True},
            # Now H2, not granted to boreal: it may not leave, so B must lose version 1.
            {**rectified, "modified": LATER, "extensions": h2},
        ],
    )
    _delete_on_a(topology, erased["id"])
    _delete_on_a(topology, never_sent["id"])
    owed = {(r["kind"], r["stix_id"]) for r in _pending(topology)}
    # Only what B received is owed to it: never_sent is not named to B, even to erase it.
    assert owed == {
        ("revoke", revoked["id"]),
        ("rectify", rectified["id"]),
        (ERASE, erased["id"]),
    }
    out = _sync(topology)
    assert "retractions 3 acknowledged, 0 refused, 0 deferred" in out
    assert _pending(topology) == []

    remote = topology.b.channels["ab"].collection_id
    on_b = read_all(topology.b_server, topology.b.tokens["bella"], remote)
    assert {(o["id"], o.get("revoked", False)) for o in on_b} == {
        (revoked["id"], False),
        (revoked["id"], True),
    }
    # B's audit log names who asked for each erasure: A's node account there.
    assert sorted(_b_audit(topology, "erase")) == sorted(
        [("atlas-node", [rectified["id"]]), ("atlas-node", [erased["id"]])]
    )
    assert never_sent["id"] not in json.dumps(_b_audit(topology, "erase"))
    single = f"{topology.b_server.api_root_url}collections/{remote}/objects/{erased['id']}/"
    headers = {"Accept": TAXII, "Authorization": f"Bearer {topology.b.tokens['bella']}"}
    with httpx2.Client(trust_env=False, timeout=20) as client:
        assert client.get(single, headers=headers).status_code == 404


def _forge_erasure(topology: Topology, theirs: dict[str, Any]) -> None:
    """A node whose ledger wrongly says B took boreal's object from it, and which owes
    B an erasure of it."""
    version = version_key(theirs["modified"])
    with topology.a.database.write() as conn:
        peer = find_peer(conn, "boreal")
        link_id = conn.execute(select(peer_links.c.id)).scalar_one()
        key = {"peer_id": peer.id, "link_id": link_id, "stix_id": theirs["id"]}
        said = {"sent_at": 1, "status_id": "forged", "result": "accepted"}
        conn.execute(federation_ledger.insert().values(**key, version=version, **said))
        owed = {"kind": ERASE, "queued_at": 1, "state": PENDING, "next_attempt": 1}
        conn.execute(federation_retractions.insert().values(**key, versions=version, **owed))


def _owed_row(topology: Topology) -> tuple[int, int]:
    with topology.a.database.read() as conn:
        row = conn.execute(
            select(federation_retractions.c.attempts, federation_retractions.c.next_attempt)
        ).one()
    return row.attempts, row.next_attempt


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_b_refuses_to_erase_what_another_organisation_produced(topology: Topology) -> None:
    topology.link("ab", "--push")
    remote = topology.b.channels["ab"].collection_id
    theirs = indicator(4, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    post(topology.b_server, topology.b.tokens["bella"], remote, [theirs])
    # A's node account itself, asking B directly: refused, and recorded on B.
    url = f"{topology.b_server.api_root_url}collections/{remote}/objects/{theirs['id']}/"
    headers = {"Accept": TAXII, "Authorization": f"Bearer {topology.b.tokens['atlas-node']}"}
    with httpx2.Client(trust_env=False, timeout=20) as client:
        assert client.delete(url, headers=headers).status_code == 403
    assert _b_audit(topology, "delete-refused") == [("atlas-node", [theirs["id"]])]
    # Nor may it revoke it: a version of another organisation's object is refused.
    revoked = {**theirs, "modified": LATER, "revoked": True}
    with httpx2.Client(trust_env=False, timeout=20) as client:
        answer = client.post(
            f"{topology.b_server.api_root_url}collections/{remote}/objects/",
            json={"objects": [revoked]},
            headers={**headers, "Content-Type": TAXII},
        )
    assert answer.status_code == 202, answer.text
    assert (answer.json()["success_count"], answer.json()["failure_count"]) == (0, 1)

    _forge_erasure(topology, theirs)
    # B unreachable: the attempt fails and the next waits its back-off, kept in the database.
    with topology.a.database.write() as conn:
        real_url = conn.execute(select(peers.c.url)).scalar_one()
        conn.execute(peers.update().values(url=f"http://127.0.0.1:{_closed_port()}/taxii2/root/"))
    assert "retractions" not in _sync(topology, ok=False)
    attempts, next_attempt = _owed_row(topology)
    assert attempts == 1
    assert next_attempt >= 1 + backoff(1)
    # Not due yet: the next pass does not try (nor fail).
    assert "retractions 0 acknowledged, 0 refused, 0 deferred" in _sync(topology)
    assert _owed_row(topology) == (attempts, next_attempt)
    listed = _pending(topology)
    assert [(r["kind"], r["state"], r["attempts"]) for r in listed] == [(ERASE, PENDING, 1)]

    with topology.a.database.write() as conn:
        conn.execute(peers.update().values(url=real_url))
    retried = topology.run_a("peer", "retry", "boreal")
    assert "1 retraction(s) due now" in retried.output
    assert "retractions 0 acknowledged, 1 refused, 0 deferred" in _sync(topology)
    listed = _pending(topology)
    assert [(r["kind"], r["state"]) for r in listed] == [(ERASE, "refused")]
    assert "only the organisation that produced" in listed[0]["detail"]
    on_b = read_all(topology.b_server, topology.b.tokens["bella"], remote)
    assert [(o["id"], o.get("revoked", False)) for o in on_b] == [(theirs["id"], False)]
    status = json.loads(topology.run_a("peer", "status", "--json").output)[0]
    assert (status["retractions_pending"], status["retractions_refused"]) == (0, 1)
