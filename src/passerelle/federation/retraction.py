"""Retractions owed to peers: revocations, rectifications and erasures of objects a peer
received, queued in the transaction that made them and kept until the far node
acknowledges them.

Who is owed one is read from the ledger, never guessed: only a peer that accepted some
version of the object through a link of the channel concerned, so a retraction never
names to a peer an object it did not receive.

- A new version (revocation or rectification) placed in a channel is owed to every peer
  that accepted an earlier version through a link of that channel. It travels like any
  version (add-objects), and is acknowledged when the far node's status accepts it. If
  our rules keep the new version here, the peer's earlier versions are erased there
  instead: a superseded version never outlives, at a peer, what replaced it.
- Versions taken out of a channel (TAXII DELETE) are owed, as an erasure, to every peer
  that accepted any of them through a link of that channel; the erasure is a TAXII DELETE
  of those versions on the far collection, which the far node applies only for the
  producer's organisation (docs/federation.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from passerelle.durations import doubling_wait
from passerelle.federation.outbox import pushed_links
from passerelle.objects.hooks import ObjectsRemoved, ObjectsStored
from passerelle.policy.ownership import COPY_MARK
from passerelle.policy.roles import Role
from passerelle.store.chunks import one_of
from passerelle.store.conflicts import insert_skipping_conflicts
from passerelle.store.federation_tables import (
    federation_ledger,
    federation_retractions,
    peer_links,
    peers,
)

REVOKE = "revoke"
RECTIFY = "rectify"
ERASE = "erase"
PENDING = "pending"
ACKNOWLEDGED = "acknowledged"
REFUSED = "refused"
ACCEPTED = "accepted"

# Back-off between attempts: 10 s, doubling, at most an hour.
BACKOFF_BASE = 10_000_000
BACKOFF_CAP = 3_600_000_000


def backoff(attempts: int) -> int:
    """Return the wait, in microseconds, after this many failed attempts."""
    return doubling_wait(BACKOFF_BASE, attempts, BACKOFF_CAP)


@dataclass(frozen=True)
class Received:
    """A version a peer accepted through a link."""

    peer_id: int
    link_id: int
    stix_id: str
    version: str


def received(conn: Connection, channel_id: int, stix_ids: Iterable[str]) -> list[Received]:
    """Return the versions of these objects that peers accepted through the pushed links
    of a channel (a ledger row without a link stands for every pushed link of its peer)."""
    ids = sorted(set(stix_ids))
    if not ids:
        return []
    rows = conn.execute(_RECEIVED, {"channel_id": channel_id, "ids": ids})
    return [Received(r[0], r[1], r[2], r[3]) for r in rows]


_LEDGER = federation_ledger
# Built once, the list of ids bound as one parameter: the statement is compiled once.
_RECEIVED: Final = (
    select(_LEDGER.c.peer_id, peer_links.c.id, _LEDGER.c.stix_id, _LEDGER.c.version)
    .join(
        peer_links,
        and_(
            peer_links.c.peer_id == _LEDGER.c.peer_id,
            or_(_LEDGER.c.link_id == peer_links.c.id, _LEDGER.c.link_id.is_(None)),
        ),
    )
    .where(
        one_of(_LEDGER.c.stix_id, "ids"),
        _LEDGER.c.result == ACCEPTED,
        peer_links.c.channel_id == bindparam("channel_id"),
        peer_links.c.push.is_(True),
    )
    .distinct()
)


def queue_new_versions(event: ObjectsStored) -> None:
    """Owe every new version of an object some peer received to that peer (a listener
    of writes, inside their transaction).

    A new version a peer's node account wrote (the producer's, which this node forwarded)
    is owed to the peers of other organisations that accepted an earlier one, never back
    to a peer of the writer's organisation: when it may not leave (its producer withdrew
    the grant), what they accepted is withdrawn there instead."""
    if not event.placed or not pushed_links(event.conn, event.channel_id):
        return  # no peer receives this channel: nobody is owed anything (the usual case)
    held = received(event.conn, event.channel_id, (v.stix_id for v in event.placed))
    if held and event.writer.role is Role.NODE:
        writers = _peers_of(event.conn, event.writer.org_id)
        held = [r for r in held if r.peer_id not in writers]
    if not held:
        return
    by_object: dict[str, list[Received]] = defaultdict(list)
    for found in held:
        by_object[found.stix_id].append(found)
    rows = []
    for placed in event.placed:
        if COPY_MARK in placed.version:
            continue  # another organisation's own copy: never sent, so never retracted
        got = by_object.get(placed.stix_id, [])
        links = {(r.peer_id, r.link_id) for r in got}
        has = {(r.link_id, r.version) for r in got}
        kind = REVOKE if placed.obj.get("revoked") is True else RECTIFY
        for peer_id, link_id in sorted(links):
            if (link_id, placed.version) not in has:
                rows.append(_row(peer_id, link_id, kind, placed.stix_id, placed.version, event.now))
    _insert(event.conn, rows)


def _peers_of(conn: Connection, org_id: int) -> set[int]:
    """Return the peers that are nodes of an organisation."""
    return set(conn.execute(select(peers.c.id).where(peers.c.org_id == org_id)).scalars())


def queue_erasures(event: ObjectsRemoved) -> None:
    """Owe an erasure of the versions taken out of a channel to every peer that accepted
    any of them through a link of that channel (a listener of removals)."""
    removed = set(event.removed)
    held = received(event.conn, event.channel_id, (k[0] for k in removed))
    owed: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for found in held:
        if (found.stix_id, found.version) in removed:
            owed[(found.peer_id, found.link_id, found.stix_id)].add(found.version)
    rows = [
        _row(peer_id, link_id, ERASE, stix_id, ",".join(sorted(versions)), event.now)
        for (peer_id, link_id, stix_id), versions in sorted(owed.items())
    ]
    _insert(event.conn, rows)


def _row(
    peer_id: int, link_id: int, kind: str, stix_id: str, versions: str, now: int
) -> dict[str, Any]:
    return {
        "peer_id": peer_id,
        "link_id": link_id,
        "kind": kind,
        "stix_id": stix_id,
        "versions": versions,
        "queued_at": now,
        "state": PENDING,
        "attempts": 0,
        "next_attempt": now,
        "detail": "",
    }


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping a retraction already owed (any backend)."""
    if not rows:
        return
    statement = insert_skipping_conflicts(
        conn, federation_retractions, ["link_id", "kind", "stix_id", "versions"]
    )
    conn.execute(statement, rows)


@dataclass(frozen=True)
class Owed:
    """One retraction owed to a peer."""

    id: int
    peer_id: int
    link_id: int
    kind: str
    stix_id: str
    versions: tuple[str, ...]
    attempts: int


def due(conn: Connection, peer_id: int, now: int, limit: int) -> list[Owed]:
    """Return the oldest retractions owed to a peer whose next attempt has come."""
    r = federation_retractions.c
    rows = conn.execute(
        select(r.id, r.peer_id, r.link_id, r.kind, r.stix_id, r.versions, r.attempts)
        .where(r.peer_id == peer_id, r.state == PENDING, r.next_attempt <= now)
        .order_by(r.id)
        .limit(limit)
    )
    return [
        Owed(
            x.id, x.peer_id, x.link_id, x.kind, x.stix_id, tuple(x.versions.split(",")), x.attempts
        )
        for x in rows
    ]


def settle(conn: Connection, owed: Owed, state: str, detail: str, now: int) -> None:
    """Record that the far node acknowledged (or refused) a retraction."""
    conn.execute(
        federation_retractions.update()
        .where(federation_retractions.c.id == owed.id)
        .values(state=state, detail=detail[:1000], done_at=now, attempts=owed.attempts + 1)
    )


def defer(conn: Connection, owed: Owed, reason: str, now: int) -> None:
    """Record a failed attempt and when the next one is due (exponential back-off)."""
    attempts = owed.attempts + 1
    conn.execute(
        federation_retractions.update()
        .where(federation_retractions.c.id == owed.id)
        .values(attempts=attempts, next_attempt=now + backoff(attempts), detail=reason[:1000])
    )


def unacknowledged(conn: Connection, peer_ids: Sequence[int], limit: int) -> list[dict[str, Any]]:
    """Return the retractions not acknowledged yet (pending or refused), oldest first."""
    r = federation_retractions.c
    columns = (r.peer_id, r.kind, r.stix_id, r.versions, r.state, r.attempts, r.next_attempt,
               r.queued_at, r.detail)  # fmt: skip
    rows = conn.execute(
        select(*columns)
        .where(r.peer_id.in_(list(peer_ids)), r.state.in_([PENDING, REFUSED]))
        .order_by(r.id)
        .limit(limit)
    )
    return [dict(x._mapping) for x in rows]


def counts(conn: Connection, peer_id: int) -> dict[str, int]:
    """Return how many retractions owed to a peer are in each state."""
    r = federation_retractions.c
    rows = conn.execute(select(r.state, func.count()).where(r.peer_id == peer_id).group_by(r.state))
    found = {PENDING: 0, ACKNOWLEDGED: 0, REFUSED: 0}
    found.update({state: int(n) for state, n in rows})
    return found


def make_due(conn: Connection, peer_id: int, now: int) -> int:
    """Make every pending retraction of a peer due now; return how many."""
    r = federation_retractions.c
    result = conn.execute(
        federation_retractions.update()
        .where(r.peer_id == peer_id, r.state == PENDING)
        .values(next_attempt=now)
    )
    return int(result.rowcount)
