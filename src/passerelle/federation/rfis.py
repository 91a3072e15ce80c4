"""RFIs across nodes: an RFI asked here of an organisation a peer speaks for is asked
again on the peer's node, through its REST API as our node account there, and closed
here as the far node closes it (answered with its objects, or refused with its reason).

An RFI is a row, not a STIX object, so it does not travel through a collection: a pass of
sync forwards the new ones (``POST /api/rfis``) and asks where the forwarded ones stand
(``GET /api/rfis/{id}``). What leaves is decided by
:func:`passerelle.policy.departure.rfi_departure_refusal`: only RFIs the organisation the
peer account speaks for asked of the peer's organisation, about nothing or about an object
that organisation may see in a channel pushed to the peer. One the rules keep here, or
that the far node refuses, is closed here as refused with the reason, so the asker is
never left waiting on something that will not come. The answering objects arrive by the
ordinary pull; the RFI here lists their ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.federation.peers import Peer, audience, authorization, node_account
from passerelle.federation.transport import PeerClient
from passerelle.policy.departure import rfi_departure_refusal
from passerelle.stix.timestamps import now_micros, text_to_micros
from passerelle.store.database import Database
from passerelle.store.federation_tables import federation_rfis
from passerelle.store.schema import organisations, rfi_answers, rfis, users

OPEN = "open"
ANSWERED = "answered"
REFUSED = "refused"
_BATCH = 100


@dataclass
class RfiReport:
    """What one pass did with a peer's RFIs."""

    peer: str
    forwarded: int = 0
    refused: int = 0
    closed: int = 0


def carry_rfis(database: Database, peer: Peer, timeout: float) -> RfiReport:
    """Forward the RFIs newly asked of the peer's organisation; close here those the far
    node closed."""
    report = RfiReport(peer.name)
    with database.read() as conn:
        waiting = _waiting(conn, peer)
        forwarded = _forwarded(conn, peer)
    if not (waiting or forwarded):
        return report
    client = PeerClient(peer.url, authorization(peer), peer.ca_file, timeout)
    try:
        for row in waiting:
            _forward(database, client, peer, row, report)
        for local_id, remote_id in forwarded:
            status, found = client.rest("GET", f"rfis/{remote_id}")
            if status == 200 and found.get("state") in (ANSWERED, REFUSED):
                _settle(database, peer, local_id, found, report)
    finally:
        client.close()
    return report


def _waiting(conn: Connection, peer: Peer) -> list[Any]:
    """Open RFIs of the organisation the peer speaks for, to the peer's, not yet carried."""
    asker = users.alias("asker")
    return list(
        conn.execute(
            select(rfis, asker.c.username.label("asker"), organisations.c.name.label("from_org"))
            .join(asker, asker.c.id == rfis.c.from_user_id)
            .join(organisations, organisations.c.id == rfis.c.from_org_id)
            .where(
                rfis.c.to_org_id == peer.org_id,
                rfis.c.from_org_id == peer.speaks_for_org_id,
                rfis.c.state == OPEN,
                rfis.c.id.not_in(select(federation_rfis.c.rfi_id)),
            )
            .order_by(rfis.c.created)
            .limit(_BATCH)
        )
    )


def _forwarded(conn: Connection, peer: Peer) -> list[tuple[str, str]]:
    rows = conn.execute(
        select(federation_rfis.c.rfi_id, federation_rfis.c.remote_id).where(
            federation_rfis.c.peer_id == peer.id, federation_rfis.c.state == OPEN
        )
    )
    return [(r.rfi_id, r.remote_id) for r in rows]


def _forward(
    database: Database, client: PeerClient, peer: Peer, row: Any, report: RfiReport
) -> None:
    now = now_micros()
    with database.read() as conn:
        refusal = rfi_departure_refusal(
            conn, audience(conn, peer), row.from_org_id, row.to_org_id, row.about_id
        )
    if refusal:
        reason = f"not forwarded to {peer.org_name}'s node: {refusal}"
        _refuse_here(database, peer, row.id, reason, now)
        report.refused += 1
        return
    minutes = max(1, (row.deadline - now) // 60_000_000)
    body = {
        "to": peer.org_name,
        "purpose": f"{row.purpose}\n\n(asked by {row.asker} of {row.from_org})",
        "urgency": row.urgency,
        "about": row.about_id,
        "within": f"{minutes}m",
    }
    status, found = client.rest("POST", "rfis", body)
    remote_id = str(found.get("id", ""))[:64]
    if status >= 400 or not remote_id:
        reason = f"{peer.org_name}'s node refused it: {found.get('description') or status}"
        _refuse_here(database, peer, row.id, reason, now)
        report.refused += 1
        return
    with database.write() as conn:
        conn.execute(
            federation_rfis.insert().values(
                rfi_id=row.id, peer_id=peer.id, remote_id=remote_id, state=OPEN, sent_at=now
            )
        )
        audit.record(database, conn, None, "rfi-forward", [],
                     {"rfi": row.id, "peer": peer.name, "remote": remote_id},
                     username=f"peer:{peer.name}")  # fmt: skip
    report.forwarded += 1


def _refuse_here(database: Database, peer: Peer, rfi_id: str, reason: str, now: int) -> None:
    with database.write() as conn:
        closer = node_account(conn, peer).user_id
        conn.execute(
            rfis.update()
            .where(rfis.c.id == rfi_id, rfis.c.state == OPEN)
            .values(state=REFUSED, closed_at=now, closed_by=closer, reason=reason[:2000])
        )
        conn.execute(
            federation_rfis.insert().values(
                rfi_id=rfi_id, peer_id=peer.id, state=REFUSED, sent_at=now, detail=reason[:2000]
            )
        )
        audit.record(database, conn, None, "rfi-refuse", [], {"rfi": rfi_id, "peer": peer.name},
                     username=f"peer:{peer.name}")  # fmt: skip


def _settle(
    database: Database, peer: Peer, rfi_id: str, found: dict[str, Any], report: RfiReport
) -> None:
    """Close the RFI here as the far node closed its own."""
    state = str(found["state"])
    now = now_micros()
    try:
        closed_at = text_to_micros(str(found.get("closed_at") or ""))
    except ValueError:
        closed_at = now
    answers = [str(i)[:300] for i in found.get("answers") or [] if isinstance(i, str)][:500]
    with database.write() as conn:
        closer = _closer(conn, peer, found.get("closed_by"))
        done = conn.execute(
            rfis.update()
            .where(rfis.c.id == rfi_id, rfis.c.state == OPEN)
            .values(
                state=state,
                closed_at=closed_at,
                closed_by=closer,
                reason=str(found.get("reason") or "")[:2000],
            )
        )
        if done.rowcount == 1 and state == ANSWERED and answers:
            conn.execute(rfi_answers.insert(), [{"rfi_id": rfi_id, "stix_id": i} for i in answers])
        conn.execute(
            federation_rfis.update()
            .where(federation_rfis.c.rfi_id == rfi_id)
            .values(state=state, checked_at=now)
        )
        audit.record(database, conn, None, f"rfi-{state}", answers,
                     {"rfi": rfi_id, "peer": peer.name, "here": done.rowcount == 1},
                     username=f"peer:{peer.name}")  # fmt: skip
    report.closed += 1


def _closer(conn: Connection, peer: Peer, name: object) -> int:
    """Who closed it on the far node, when a user of that name and organisation is known
    here; else the peer's node account."""
    if isinstance(name, str):
        found = conn.execute(
            select(users.c.id).where(users.c.username == name, users.c.org_id == peer.org_id)
        ).scalar()
        if found is not None:
            return int(found)
    return node_account(conn, peer).user_id
