"""Push: send what waits in a peer's outbox, withhold what our rules keep here, and write
in the ledger what the peer answered.

A batch is read and its withheld rows settled in one transaction; the envelope is sent
with no transaction open, by a thread, while the next batch is read; the answers are
recorded in another transaction. A process that dies while
the envelope is in flight leaves its rows pending, so they are sent again: the peer keeps
one copy of a version (id + modified), and its status resource decides. A version the
ledger already records as accepted by that peer is never sent again. Every envelope sent
is in the audit log (action ``federate``: the ids, the peer, its status resource).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.federation import outbox
from passerelle.federation.peers import Link, Peer, audience, links_of, read_token
from passerelle.federation.transport import Outcome, PeerClient, PeerUnreachable
from passerelle.objects.leaving import Departure, departures
from passerelle.stix.timestamps import now_micros, version_key
from passerelle.store.database import Database
from passerelle.store.federation_tables import federation_ledger, peers

BATCH = 200
ACCEPTED = "accepted"


@dataclass
class PushReport:
    """What one pass of push did for a peer."""

    peer: str
    accepted: int = 0
    refused: int = 0
    withheld: int = 0
    pending: int = 0


def push_peer(
    database: Database, peer: Peer, timeout: float, progress: Callable[[int], None] | None = None
) -> PushReport:
    """Send a peer everything pending in the outbox of its pushed links, batch by batch
    (``progress`` is told how many versions each batch sent)."""
    report = PushReport(peer.name)
    client = PeerClient(peer.url, read_token(peer.token_file), peer.ca_file, timeout)
    try:
        with database.read() as conn:
            links = [link for link in links_of(conn, peer.id) if link.push]
        for link in links:
            _push_link(database, client, peer, link, report, progress)
    finally:
        client.close()
    return report


def record_success(database: Database, peer: Peer) -> None:
    """Record that a pass with the peer went through."""
    with database.write() as conn:
        conn.execute(
            peers.update()
            .where(peers.c.id == peer.id)
            .values(last_success=now_micros(), last_error="")
        )


def record_error(database: Database, peer: Peer, message: str) -> None:
    """Record the last error a peer caused (one line)."""
    with database.write() as conn:
        conn.execute(peers.update().where(peers.c.id == peer.id).values(last_error=message[:500]))


def _push_link(
    database: Database,
    client: PeerClient,
    peer: Peer,
    link: Link,
    report: PushReport,
    progress: Callable[[int], None] | None,
) -> None:
    """Send a link's pending versions batch after batch, preparing the next batch here
    while the peer takes the one before (a thread sends). A batch's rows stay pending
    until the peer answered and the answer is recorded, so a process that dies meanwhile
    sends them again; a row the peer left pending waits for the next pass."""
    with ThreadPoolExecutor(1, thread_name_prefix="push") as sender:
        batch = _next_batch(database, peer, link, report, 0)
        while batch is not None:
            leaving, last_id = batch
            sending = sender.submit(_send, client, link.remote_collection, leaving)
            batch = _next_batch(database, peer, link, report, last_id)
            for part, answer in sending.result():
                _settle_part(database, peer, link, part, answer, report)
                if progress is not None:
                    progress(len(part))


def _next_batch(
    database: Database, peer: Peer, link: Link, report: PushReport, after: int
) -> tuple[Leaving, int] | None:
    """Read the next batch of pending rows after ``after`` and settle those that do not
    leave; return what leaves and the batch's last row id (None: nothing more)."""
    with database.write() as conn:
        rows = outbox.pending(conn, link.id, BATCH, after)
        if not rows:
            return None
        return _prepare(conn, peer, link, rows, report), rows[-1].id


def _send(
    client: PeerClient, collection: str, leaving: Leaving
) -> list[tuple[Leaving, Outcome | None]]:
    return list(_sent_in_parts(client, collection, leaving)) if leaving else []


def _settle_part(
    database: Database,
    peer: Peer,
    link: Link,
    part: Leaving,
    answer: Outcome | None,
    report: PushReport,
) -> None:
    with database.write() as conn:
        if answer is None:
            _too_large(conn, peer, link, part, report)
            return
        _record(conn, peer, link, part, answer, report)
        audit.record(
            database,
            conn,
            None,
            "federate",
            [d.stix_id for _row, d in part],
            {"peer": peer.name, "to": peer.org_name, "status": answer.status_id},
            username=f"peer:{peer.name}",
        )


Leaving = list[tuple[outbox.Queued, Departure]]


def _sent_in_parts(
    client: PeerClient, collection: str, leaving: Leaving
) -> Iterator[tuple[Leaving, Outcome | None]]:
    """POST an envelope; one the peer refuses as too large (HTTP 413) is split in halves,
    each sent on its own, down to single objects, which are then too large alone (None).
    Each part is yielded as soon as the peer answered it, so it is recorded at once."""
    try:
        answer = client.add_objects(collection, [d.body or "" for _r, d in leaving])
    except PeerUnreachable as exc:
        if exc.http_status != 413:
            raise
        if len(leaving) == 1:
            yield leaving, None
            return
        half = len(leaving) // 2
        yield from _sent_in_parts(client, collection, leaving[:half])
        yield from _sent_in_parts(client, collection, leaving[half:])
        return
    yield leaving, answer


def _too_large(conn: Connection, peer: Peer, link: Link, part: Leaving, report: PushReport) -> bool:
    """Record a version the peer refuses as too large even alone: refused, in the ledger."""
    reason = "larger than the peer accepts in one request (HTTP 413)"
    answer = Outcome("")
    for row, _sent in part:
        write_ledger(conn, peer, link, (row.stix_id, row.version), answer,
                     (outbox.REFUSED, reason), now_micros())  # fmt: skip
        outbox.settle(conn, [row.id], outbox.REFUSED, reason)
        report.refused += 1
    return True


def _prepare(
    conn: Connection, peer: Peer, link: Link, rows: Sequence[outbox.Queued], report: PushReport
) -> list[tuple[outbox.Queued, Departure]]:
    """Settle the rows already accepted or withheld; return those to send."""
    accepted = _accepted(conn, peer.id, rows)
    rules = audience(conn, peer)
    to_decide = []
    for row in rows:
        if (row.stix_id, row.version) in accepted:
            outbox.settle(conn, [row.id], outbox.SENT, "already accepted by the peer")
        else:
            to_decide.append(row)
    keys = [(row.stix_id, row.version) for row in to_decide]
    leaving = []
    for row, found in zip(to_decide, departures(conn, rules, link.channel_id, keys), strict=True):
        if found.body is None:
            outbox.settle(conn, [row.id], outbox.WITHHELD, found.reason)
            report.withheld += 1
        else:
            leaving.append((row, found))
    return leaving


def _accepted(
    conn: Connection, peer_id: int, rows: Sequence[outbox.Queued]
) -> set[tuple[str, str]]:
    ids = sorted({r.stix_id for r in rows})
    found = conn.execute(
        select(federation_ledger.c.stix_id, federation_ledger.c.version).where(
            federation_ledger.c.peer_id == peer_id,
            federation_ledger.c.stix_id.in_(ids),
            federation_ledger.c.result == ACCEPTED,
        )
    )
    return {(r.stix_id, r.version) for r in found}


def _record(
    conn: Connection,
    peer: Peer,
    link: Link,
    leaving: Sequence[tuple[outbox.Queued, Departure]],
    answer: Outcome,
    report: PushReport,
) -> bool:
    """Write the ledger rows of a sent batch and settle its outbox rows (one statement
    for the ledger and one per outcome: a row at a time cost more than the sending)."""
    now = now_micros()
    ledger, settled = [], defaultdict(list)
    named = named_in(answer)
    for row, sent in leaving:
        result, detail = verdict(answer, sent, named)
        key = (row.stix_id, row.version)
        ledger.append(ledger_row(peer, link, key, answer, (result, detail), now))
        if result == ACCEPTED:
            settled[(outbox.SENT, "")].append(row.id)
            report.accepted += 1
        elif result == outbox.REFUSED:
            settled[(outbox.REFUSED, detail)].append(row.id)
            report.refused += 1
        else:
            report.pending += 1
    conn.execute(federation_ledger.insert(), ledger)
    for (state, reason), row_ids in settled.items():
        outbox.settle(conn, row_ids, state, reason)
    return bool(settled)


def write_ledger(
    conn: Connection,
    peer: Peer,
    link: Link,
    key: tuple[str, str],
    answer: Outcome,
    said: tuple[str, str],
    now: int,
) -> None:
    """Write what a peer said of one version sent through a link."""
    conn.execute(federation_ledger.insert().values(ledger_row(peer, link, key, answer, said, now)))


def ledger_row(
    peer: Peer, link: Link, key: tuple[str, str], answer: Outcome, said: tuple[str, str], now: int
) -> dict[str, object]:
    """Return the ledger row of what a peer said of one version sent through a link."""
    return {
        "peer_id": peer.id,
        "link_id": link.id,
        "stix_id": key[0],
        "version": key[1],
        "sent_at": now,
        "status_id": answer.status_id[:64],
        "result": said[0],
        "detail": said[1],
    }


def named_in(answer: Outcome) -> dict[tuple[str, str], tuple[str, str]]:
    """Return the versions a status names, by their normal form."""
    return {_normal(k): k for k in (*answer.successes, *answer.failures, *answer.pendings)}


def verdict(
    answer: Outcome,
    sent: Departure,
    named: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """Return what the peer said of one version: accepted, refused (why) or pending
    (``named``: :func:`named_in` of the answer, when the caller asks of many versions)."""
    key = (sent.stix_id, _shown_version(sent.body or "{}"))
    found = (named_in(answer) if named is None else named).get(key)
    if found is None:
        return "pending", "the peer's status does not name it"
    if found in answer.successes:
        return ACCEPTED, ""
    if found in answer.failures:
        return outbox.REFUSED, answer.failures[found] or "refused by the peer"
    return "pending", "pending at the peer"


def _shown_version(body: str) -> str:
    obj = orjson.loads(body)
    stamp = obj.get("modified") or obj.get("created") or ""
    return _normal(("", str(stamp)))[1]


def _normal(key: tuple[str, str]) -> tuple[str, str]:
    try:
        return key[0], version_key(key[1])
    except ValueError:
        return key[0], key[1]
