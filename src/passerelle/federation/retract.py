"""Carrying retractions to a peer: what is due is sent, and what the far node answers is
recorded; what failed waits its back-off.

A new version (revocation, rectification) already accepted by the peer, through the
outbox, is acknowledged without being sent again. One our rules keep here is replaced by
an erasure, at the peer, of the earlier versions it accepted. An erasure is a TAXII DELETE
of the versions the peer accepted, on the collection they went to: 200 (erased) and 404
(the peer holds none of them any more) acknowledge it, 403 is a refusal, kept and listed;
anything else is retried later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.federation import retraction
from passerelle.federation.peers import Link, Peer, audience, authorization, links_of
from passerelle.federation.push import verdict, write_ledger
from passerelle.federation.retraction import Owed
from passerelle.federation.transport import PeerClient, PeerUnreachable
from passerelle.objects.leaving import departure
from passerelle.stix.timestamps import now_micros
from passerelle.store.database import Database
from passerelle.store.federation_tables import federation_ledger

BATCH = 200


@dataclass
class RetractReport:
    """What one pass of retractions did for a peer."""

    peer: str
    acknowledged: int = 0
    refused: int = 0
    deferred: int = 0


@dataclass(frozen=True)
class _Answer:
    """What became of one retraction: its new state ('' to retry later) and why."""

    state: str
    detail: str


def retract_peer(
    database: Database, peer: Peer, timeout: float, now: int | None = None
) -> RetractReport:
    """Carry to a peer every retraction whose next attempt has come."""
    report = RetractReport(peer.name)
    moment = now_micros() if now is None else now
    with database.read() as conn:
        owed = retraction.due(conn, peer.id, moment, BATCH)
        links = {link.id: link for link in links_of(conn, peer.id)}
    if not owed:
        return report
    client = PeerClient(peer.url, authorization(peer), peer.ca_file, timeout)
    try:
        for index, item in enumerate(owed):
            try:
                answer = _carry(database, client, peer, links[item.link_id], item)
            except PeerUnreachable as exc:
                _defer_all(database, owed[index:], exc.message, moment, report)
                raise
            _settle(database, peer, item, answer, report)
    finally:
        client.close()
    return report


def _settle(
    database: Database, peer: Peer, item: Owed, answer: _Answer, report: RetractReport
) -> None:
    now = now_micros()
    with database.write() as conn:
        if not answer.state:
            retraction.defer(conn, item, answer.detail, now)
            report.deferred += 1
            return
        retraction.settle(conn, item, answer.state, answer.detail, now)
        detail = {"peer": peer.name, "kind": item.kind, "state": answer.state}
        audit.record(database, conn, None, "retract", [item.stix_id], detail,
                     username=f"peer:{peer.name}")  # fmt: skip
    if answer.state == retraction.ACKNOWLEDGED:
        report.acknowledged += 1
    else:
        report.refused += 1


def _defer_all(
    database: Database, owed: list[Owed], reason: str, now: int, report: RetractReport
) -> None:
    with database.write() as conn:
        for item in owed:
            retraction.defer(conn, item, reason, now)
    report.deferred += len(owed)


def _carry(database: Database, client: PeerClient, peer: Peer, link: Link, item: Owed) -> _Answer:
    if item.kind == retraction.ERASE:
        return _erase(client, link, item.stix_id, item.versions)
    version = item.versions[0]
    with database.read() as conn:
        said = _ledger_result(conn, peer, item.stix_id, version)
        if said is not None:
            return said
        leaving = departure(conn, audience(conn, peer), link.channel_id, item.stix_id, version)
        if leaving.body is None:
            earlier = _accepted_through(conn, peer, link, item.stix_id)
    if leaving.body is None:
        erased = _erase(client, link, item.stix_id, earlier)
        if erased.state != retraction.ACKNOWLEDGED:
            return erased
        return _Answer(erased.state, f"kept here ({leaving.reason}): earlier versions erased")
    answer = client.add_objects(link.remote_collection, [leaving.body])
    result, detail = verdict(answer, leaving)
    if result == "pending":
        return _Answer("", detail)
    with database.write() as conn:
        write_ledger(conn, peer, link, (item.stix_id, version), answer, (result, detail),
                     now_micros())  # fmt: skip
    if result == retraction.ACCEPTED:
        return _Answer(retraction.ACKNOWLEDGED, f"accepted (status {answer.status_id})")
    return _Answer(retraction.REFUSED, detail)


def _ledger_result(conn: Connection, peer: Peer, stix_id: str, version: str) -> _Answer | None:
    """Say what the peer already answered for this version, if it did."""
    led = federation_ledger.c
    results = set(
        conn.execute(
            select(led.result).where(
                led.peer_id == peer.id, led.stix_id == stix_id, led.version == version
            )
        ).scalars()
    )
    if retraction.ACCEPTED in results:
        return _Answer(retraction.ACKNOWLEDGED, "accepted by the peer")
    if retraction.REFUSED in results:
        return _Answer(retraction.REFUSED, "the peer refused the new version")
    return None


def _accepted_through(conn: Connection, peer: Peer, link: Link, stix_id: str) -> tuple[str, ...]:
    held = retraction.received(conn, link.channel_id, [stix_id])
    return tuple(sorted({r.version for r in held if r.peer_id == peer.id and r.link_id == link.id}))


def _erase(client: PeerClient, link: Link, stix_id: str, versions: tuple[str, ...]) -> _Answer:
    if not versions:
        return _Answer(retraction.ACKNOWLEDGED, "the peer received no version")
    status, description = client.delete_object(link.remote_collection, stix_id, versions)
    if status in (200, 204):
        return _Answer(retraction.ACKNOWLEDGED, "erased by the peer")
    if status == 404:
        return _Answer(retraction.ACKNOWLEDGED, "the peer holds none of these versions")
    if status == 403:
        return _Answer(retraction.REFUSED, f"refused by the peer: {description or 'HTTP 403'}")
    return _Answer("", f"HTTP {status}: {description}")
