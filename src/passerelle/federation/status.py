"""``peer status``: for each peer, when it last took what we sent, what waits, what our
rules withheld, what it refused, and what we refused of what it sent, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from passerelle.federation import outbox, retraction
from passerelle.federation.peers import Peer, links_of
from passerelle.store.federation_tables import federation_ledger, peer_refusals


@dataclass(frozen=True)
class PeerStatus:
    """The state of exchanges with one peer."""

    peer: str
    last_success: int | None
    last_error: str
    pending: int
    sent: int
    withheld: int
    refused: int
    refused_here: int
    ledger: int
    retractions_pending: int
    retractions_refused: int
    # When the oldest version still waiting to be sent was queued (None: nothing waits).
    oldest_pending: int | None

    def lag_seconds(self, now: int) -> int:
        """Return how far behind the peer is: the age of the oldest version waiting."""
        return 0 if self.oldest_pending is None else max(0, (now - self.oldest_pending) // 10**6)


def peer_status(conn: Connection, peer: Peer) -> PeerStatus:
    """Return the counts of a peer's outbox and ledger."""
    link_ids = [link.id for link in links_of(conn, peer.id)]
    found = outbox.counts(conn, link_ids)
    ledger = conn.execute(
        select(func.count()).where(federation_ledger.c.peer_id == peer.id)
    ).scalar_one()
    owed = retraction.counts(conn, peer.id)
    refused_here = conn.execute(
        select(func.count()).where(peer_refusals.c.peer_id == peer.id)
    ).scalar_one()
    return PeerStatus(
        peer.name,
        peer.last_success,
        peer.last_error,
        found[outbox.PENDING],
        found[outbox.SENT],
        found[outbox.WITHHELD],
        found[outbox.REFUSED],
        int(refused_here),
        int(ledger),
        owed[retraction.PENDING],
        owed[retraction.REFUSED],
        outbox.oldest_pending(conn, link_ids),
    )


def held_back(conn: Connection, peer: Peer, limit: int = 50) -> list[dict[str, str]]:
    """Return the newest versions withheld from or refused by a peer, and refused from it
    here, with the reasons."""
    sent = outbox.held_back(conn, [link.id for link in links_of(conn, peer.id)], limit)
    rows = conn.execute(
        select(peer_refusals.c.stix_id, peer_refusals.c.version, peer_refusals.c.reason)
        .where(peer_refusals.c.peer_id == peer.id)
        .order_by(peer_refusals.c.id.desc())
        .limit(limit)
    )
    received = [{"state": "refused here", **dict(r._mapping)} for r in rows]
    return sent + received


def retry_withheld(conn: Connection, peer: Peer, now: int) -> tuple[int, int]:
    """Queue again what was withheld from a peer, and make its pending retractions due
    now; return how many of each."""
    again = outbox.retry_withheld(conn, [link.id for link in links_of(conn, peer.id)])
    return again, retraction.make_due(conn, peer.id, now)


def retractions_owed(
    conn: Connection, chosen: list[Peer], limit: int = 200
) -> list[dict[str, Any]]:
    """Return the retractions the far nodes have not acknowledged, with their peer's name,
    attempts and next attempt."""
    names = {p.id: p.name for p in chosen}
    rows = retraction.unacknowledged(conn, list(names), limit)
    return [{"peer": names[r.pop("peer_id")], **r} for r in rows]
