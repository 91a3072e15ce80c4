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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.federation import outbox
from passerelle.federation.peers import Link, Peer, audience, authorization, links_of
from passerelle.federation.transport import Outcome, PeerClient, PeerUnreachable
from passerelle.objects.leaving import Departure, departures
from passerelle.stix.timestamps import now_micros, version_key
from passerelle.store.database import Database
from passerelle.store.federation_tables import federation_ledger, peers

# Versions a batch reads from the outbox. Each batch costs round trips and commits on
# both nodes; at 500 a 10,000-object push took 0.6 of the wall time it took at 200 on a
# loaded machine, the CPU unchanged (docs/benchmarks.md), and 2,000 less again. A batch
# goes in one envelope; once the peer refuses one as too large (HTTP 413), batches are cut
# to the max_content_length its API root announces, or halved.
BATCH = 2000
# Bytes of an envelope besides its bodies: '{"objects":[', the commas and ']}'.
_ENVELOPE_BYTES = 14
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
    client = PeerClient(peer.url, authorization(peer), peer.ca_file, timeout)
    try:
        with database.read() as conn:
            links = [link for link in links_of(conn, peer.id) if link.push]
        limit = PeerLimit(client)
        for link in links:
            _push_link(database, client, peer, link, report, progress, limit)
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
    limit: PeerLimit,
) -> None:
    """Send a link's pending versions batch after batch, preparing the next batch here
    while the peer takes the one before (a thread sends), and recording a batch's answer
    while the peer takes the next one, so the peer is never left waiting for this node.
    A batch's rows stay pending until the peer answered and the answer is recorded, so a
    process that dies meanwhile sends them again (the peer keeps what it already holds);
    a row the peer left pending waits for the next pass."""
    with ThreadPoolExecutor(1, thread_name_prefix="push") as sender:

        def send(batch: tuple[Leaving, int] | None) -> tuple[Future[Sent], int] | None:
            if batch is None:
                return None
            leaving, last_id = batch
            return sender.submit(_send, client, link.remote_collection, leaving, limit), last_id

        sending = send(_next_batch(database, peer, link, report, 0))
        while sending is not None:
            answered, last_id = sending
            following = _next_batch(database, peer, link, report, last_id)
            answers = answered.result()
            sending = send(following)
            for part, answer in answers:
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


class PeerLimit:
    """The largest envelope a peer takes, asked of its API root once a pass, only after it
    refused one as too large (HTTP 413): a peer that takes the batches as they come is
    asked nothing."""

    def __init__(self, client: PeerClient) -> None:
        self._client = client
        self.asked = False
        self._limit: int | None = None

    def __call__(self) -> int | None:
        if not self.asked:
            self._limit = self._client.max_content_length()
            self.asked = True
        return self._limit


def _send(client: PeerClient, collection: str, leaving: Leaving, limit: PeerLimit) -> Sent:
    """Send a batch in one envelope, or in envelopes cut to the limit the peer announced
    once it refused one as too large; each still too large is halved (or refused alone)."""
    if not leaving:
        return []
    if limit.asked:
        parts = envelopes(leaving, limit())
    else:
        try:
            return [(leaving, client.add_objects(collection, _bodies(leaving)))]
        except PeerUnreachable as exc:
            if exc.http_status != 413:
                raise
        if len(leaving) == 1:
            return [(leaving, None)]
        parts = _after_too_large(leaving, limit())
    return [sent for part in parts for sent in _sent_in_parts(client, collection, part)]


def _after_too_large(leaving: Leaving, cap: int | None) -> list[Leaving]:
    """The parts to send of an envelope the peer refused as too large: cut to the limit
    it announced, or halved when it announces none."""
    if cap is not None:
        return envelopes(leaving, cap)
    half = (len(leaving) + 1) // 2
    return [part for part in (leaving[:half], leaving[half:]) if part]


def _bodies(leaving: Leaving) -> list[str]:
    return [d.body or "" for _r, d in leaving]


def envelopes(leaving: Leaving, limit: int | None) -> list[Leaving]:
    """Cut a batch, in order, into envelopes whose bodies fit in ``limit`` bytes (one
    envelope when the peer gave no limit; a version too large alone goes alone, for the
    peer to refuse)."""
    if limit is None:
        return [leaving] if leaving else []
    cut: list[Leaving] = []
    current: Leaving = []
    size = _ENVELOPE_BYTES
    for row, departing in leaving:
        length = len((departing.body or "").encode()) + 1
        if current and size + length > limit:
            cut.append(current)
            current, size = [], _ENVELOPE_BYTES
        current.append((row, departing))
        size += length
    if current:
        cut.append(current)
    return cut


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
# What a batch's send returns: each envelope sent and the peer's answer (None: refused
# alone as too large).
Sent = list[tuple[Leaving, Outcome | None]]


def _sent_in_parts(
    client: PeerClient, collection: str, leaving: Leaving
) -> Iterator[tuple[Leaving, Outcome | None]]:
    """POST an envelope; one the peer refuses as too large (HTTP 413) is split in halves,
    each sent on its own, down to single objects, which are then too large alone (None).
    Each part is yielded as soon as the peer answered it, so it is recorded at once."""
    try:
        answer = client.add_objects(collection, _bodies(leaving))
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
    said = (outbox.REFUSED, "larger than the peer accepts in one request (HTTP 413)")
    answer, now = Outcome(""), now_micros()
    rows = [ledger_row(peer, link, (r.stix_id, r.version), answer, said, now) for r, _d in part]
    conn.execute(federation_ledger.insert(), rows)
    outbox.settle(conn, [row.id for row, _sent in part], *said)
    report.refused += len(part)
    return True


def _prepare(
    conn: Connection, peer: Peer, link: Link, rows: Sequence[outbox.Queued], report: PushReport
) -> list[tuple[outbox.Queued, Departure]]:
    """Settle the rows already accepted or withheld; return those to send.

    The rules of departure are weighed for the whole batch at once, and its rows settled
    one statement per outcome: a version at a time cost six queries a version, most of a
    pass's time.
    """
    accepted = _accepted(conn, peer.id, rows)
    done = [row for row in rows if (row.stix_id, row.version) in accepted]
    outbox.settle(conn, [row.id for row in done], outbox.SENT, "already accepted by the peer")
    rest = [row for row in rows if (row.stix_id, row.version) not in accepted]
    found = departures(
        conn, audience(conn, peer), link.channel_id, [(r.stix_id, r.version) for r in rest]
    )
    withheld: dict[str, list[int]] = defaultdict(list)
    leaving = []
    for row, departing in zip(rest, found, strict=True):
        if departing.body is None:
            withheld[departing.reason].append(row.id)
        else:
            leaving.append((row, departing))
    for reason, row_ids in withheld.items():
        outbox.settle(conn, row_ids, outbox.WITHHELD, reason)
        report.withheld += len(row_ids)
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
    said = verdicts(answer, [sent for _row, sent in leaving])
    for (row, _sent), (result, detail) in zip(leaving, said, strict=True):
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


def verdict(answer: Outcome, sent: Departure) -> tuple[str, str]:
    """Return what the peer said of one version: accepted, refused (why) or pending."""
    return verdicts(answer, [sent])[0]


def verdicts(answer: Outcome, sent: Sequence[Departure]) -> list[tuple[str, str]]:
    """Return what the peer said of each version sent, as :func:`verdict` says it."""
    normalised = {_normal(k): k for k in (*answer.successes, *answer.failures, *answer.pendings)}
    said = []
    for departure in sent:
        found = normalised.get((departure.stix_id, _shown_version(departure.body or "{}")))
        if found is None:
            said.append(("pending", "the peer's status does not name it"))
        elif found in answer.successes:
            said.append((ACCEPTED, ""))
        elif found in answer.failures:
            said.append((outbox.REFUSED, answer.failures[found] or "refused by the peer"))
        else:
            said.append(("pending", "pending at the peer"))
    return said


def _shown_version(body: str) -> str:
    obj = orjson.loads(body)
    stamp = obj.get("modified") or obj.get("created") or ""
    return _normal(("", str(stamp)))[1]


def _normal(key: tuple[str, str]) -> tuple[str, str]:
    try:
        return key[0], version_key(key[1])
    except ValueError:
        return key[0], key[1]
