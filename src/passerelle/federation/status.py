"""``peer status``: for each peer, when it last took what we sent, what waits, what our
rules withheld and what it refused, and why."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from passerelle.federation import outbox
from passerelle.federation.peers import Peer, links_of
from passerelle.store.federation_tables import federation_ledger


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
    ledger: int


def peer_status(conn: Connection, peer: Peer) -> PeerStatus:
    """Return the counts of a peer's outbox and ledger."""
    link_ids = [link.id for link in links_of(conn, peer.id)]
    found = outbox.counts(conn, link_ids)
    ledger = conn.execute(
        select(func.count()).where(federation_ledger.c.peer_id == peer.id)
    ).scalar_one()
    return PeerStatus(
        peer.name,
        peer.last_success,
        peer.last_error,
        found[outbox.PENDING],
        found[outbox.SENT],
        found[outbox.WITHHELD],
        found[outbox.REFUSED],
        int(ledger),
    )


def held_back(conn: Connection, peer: Peer, limit: int = 50) -> list[dict[str, str]]:
    """Return the newest versions withheld from or refused by a peer, with the reasons."""
    return outbox.held_back(conn, [link.id for link in links_of(conn, peer.id)], limit)
