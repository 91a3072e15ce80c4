"""The outbox: every version placed in a channel pushed to a peer, recorded in the very
transaction that placed it.

Written inside the write transaction (an ``ObjectsStored`` listener) rather than after the
commit: the versions and their outbox rows commit together or not at all, so a process
that dies between the commit and any later step loses nothing and no re-scan is needed.
A row is unique per link and version, so a version placed twice is queued once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, bindparam, func, select

from passerelle.objects.hooks import ObjectsStored
from passerelle.policy.roles import Role
from passerelle.store.conflicts import insert_skipping_conflicts
from passerelle.store.federation_tables import (
    federation_ledger,
    federation_outbox,
    peer_links,
    peers,
)

PENDING = "pending"
SENT = "sent"
WITHHELD = "withheld"
REFUSED = "refused"


def queue_pushed_versions(event: ObjectsStored) -> None:
    """Queue the versions a write placed for every peer their channel is pushed to.

    What a peer's node account wrote is never queued back to a peer of its organisation
    (no ping-pong); for a peer of another organisation it is queued, and leaves only as a
    forwarded object may (:mod:`passerelle.policy.forwarding`), else is withheld with the
    reason.
    """
    link_ids = pushed_links(event.conn, event.channel_id)
    if event.writer.role is Role.NODE and link_ids:
        link_ids = _links_to_others(event.conn, link_ids, event.writer.org_id)
    if not link_ids or not event.placed:
        return
    versions = [(v.stix_id, v.version) for v in event.placed]
    for link_id in link_ids:
        queue(event.conn, link_id, versions, event.now)


def pushed_links(conn: Connection, channel_id: int) -> list[int]:
    """Return the ids of the links that push a channel to a peer (usually none)."""
    return list(conn.execute(_PUSHED_LINKS, {"channel_id": channel_id}).scalars())


def _links_to_others(conn: Connection, link_ids: list[int], org_id: int) -> list[int]:
    """Keep the links to peers of another organisation than ``org_id``."""
    rows = conn.execute(
        select(peer_links.c.id)
        .join(peers, peers.c.id == peer_links.c.peer_id)
        .where(peer_links.c.id.in_(link_ids), peers.c.org_id != org_id)
    )
    return list(rows.scalars())


_PUSHED_LINKS: Final = select(peer_links.c.id).where(
    peer_links.c.channel_id == bindparam("channel_id"), peer_links.c.push.is_(True)
)


def queue(conn: Connection, link_id: int, versions: Sequence[tuple[str, str]], now: int) -> None:
    """Queue versions for one link, skipping those it already queued."""
    rows = [
        {
            "link_id": link_id,
            "stix_id": stix_id,
            "version": version,
            "queued_at": now,
            "state": PENDING,
            "reason": "",
        }
        for stix_id, version in versions
    ]
    for start in range(0, len(rows), 500):
        _insert_new(conn, rows[start : start + 500])


# Versions queued per step of a backlog (a progress report after each).
BACKLOG_STEP = 2_000


def queue_backlog(
    conn: Connection,
    link_id: int,
    peer_id: int,
    versions: Sequence[tuple[str, str]],
    now: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Queue for a new link what its channel already holds; return how many versions were
    queued. A version the link queued already (linking again) or that the peer accepted
    through it is not queued twice. ``progress`` is told (queued so far, to queue)."""
    known = _known(conn, link_id, peer_id)
    fresh = [key for key in dict.fromkeys(versions) if key not in known]
    for start in range(0, len(fresh), BACKLOG_STEP):
        queue(conn, link_id, fresh[start : start + BACKLOG_STEP], now)
        if progress is not None:
            progress(min(start + BACKLOG_STEP, len(fresh)), len(fresh))
    return len(fresh)


def _known(conn: Connection, link_id: int, peer_id: int) -> set[tuple[str, str]]:
    """Return the versions a link queued, and those its peer accepted through it (a
    ledger row without a link stands for every link of its peer)."""
    out = federation_outbox.c
    queued = conn.execute(select(out.stix_id, out.version).where(out.link_id == link_id))
    led = federation_ledger.c
    accepted = conn.execute(
        select(led.stix_id, led.version).where(
            led.peer_id == peer_id,
            led.result == "accepted",
            (led.link_id == link_id) | led.link_id.is_(None),
        )
    )
    return {(r[0], r[1]) for r in queued} | {(r[0], r[1]) for r in accepted}


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping the versions a link already queued (any backend)."""
    statement = insert_skipping_conflicts(
        conn, federation_outbox, ["link_id", "stix_id", "version"]
    )
    conn.execute(statement, rows)


@dataclass(frozen=True)
class Queued:
    """One outbox row."""

    id: int
    stix_id: str
    version: str


def pending(conn: Connection, link_id: int, limit: int, after: int = 0) -> list[Queued]:
    """Return the oldest rows of a link still to send (of those after row ``after``)."""
    rows = conn.execute(
        select(federation_outbox.c.id, federation_outbox.c.stix_id, federation_outbox.c.version)
        .where(
            federation_outbox.c.link_id == link_id,
            federation_outbox.c.state == PENDING,
            federation_outbox.c.id > after,
        )
        .order_by(federation_outbox.c.id)
        .limit(limit)
    )
    return [Queued(r.id, r.stix_id, r.version) for r in rows]


def settle(conn: Connection, row_ids: Sequence[int], state: str, reason: str = "") -> None:
    """Mark outbox rows sent, withheld or refused, with the reason."""
    if row_ids:
        conn.execute(
            federation_outbox.update()
            .where(federation_outbox.c.id.in_(list(row_ids)))
            .values(state=state, reason=reason[:1000])
        )


def counts(conn: Connection, link_ids: Sequence[int]) -> dict[str, int]:
    """Return how many outbox rows of these links are in each state."""
    rows = conn.execute(
        select(federation_outbox.c.state, func.count())
        .where(federation_outbox.c.link_id.in_(list(link_ids)))
        .group_by(federation_outbox.c.state)
    )
    found = {PENDING: 0, SENT: 0, WITHHELD: 0, REFUSED: 0}
    found.update({state: int(n) for state, n in rows})
    return found


def oldest_pending(conn: Connection, link_ids: Sequence[int]) -> int | None:
    """Return when the oldest row of these links still to send was queued (None if none)."""
    found = conn.execute(
        select(func.min(federation_outbox.c.queued_at)).where(
            federation_outbox.c.link_id.in_(list(link_ids)),
            federation_outbox.c.state == PENDING,
        )
    ).scalar()
    return None if found is None else int(found)


def held_back(conn: Connection, link_ids: Sequence[int], limit: int) -> list[dict[str, str]]:
    """Return the newest withheld and refused rows of these links, with their reasons."""
    rows = conn.execute(
        select(
            federation_outbox.c.stix_id,
            federation_outbox.c.version,
            federation_outbox.c.state,
            federation_outbox.c.reason,
        )
        .where(
            federation_outbox.c.link_id.in_(list(link_ids)),
            federation_outbox.c.state.in_([WITHHELD, REFUSED]),
        )
        .order_by(federation_outbox.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def retry_withheld(conn: Connection, link_ids: Sequence[int]) -> int:
    """Put the withheld rows of these links back to pending (the rules decide again at
    the next pass: after a grant, or a change of membership); return how many."""
    if not link_ids:
        return 0
    result = conn.execute(
        federation_outbox.update()
        .where(
            federation_outbox.c.link_id.in_(list(link_ids)),
            federation_outbox.c.state == WITHHELD,
        )
        .values(state=PENDING, reason="")
    )
    return int(result.rowcount)
