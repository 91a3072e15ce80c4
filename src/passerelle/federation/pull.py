"""Pull: fetch a peer's collection into a local channel, page by page, through the
ordinary ingest path as writes of the peer's node account.

Every version is asked for (``match[version]=all``) and pages are followed by TAXII
``next``, never by ``added_after`` alone (which loses objects sharing one date_added).
The cursor of a link is kept in the database after every page: the page token of a run in
progress, and the newest ``date_added`` of the last complete run, from which the next run
starts. A page stored but whose cursor was not saved is fetched again and changes nothing
(a version already held is skipped). An expired page token restarts the run from the last
complete one. A run resumed from a saved token is read again from the last complete run
once it ends, unless the peer's next token differed from the one it was given (tokens that
name pages, as a Passerelle node's): medallion's names a session that hands each page out
once, so a page handed out before a failure and never stored would otherwise be lost.

A pulled object may only be the peer's organisation's own, or forwarded with its
producer's grant: one naming another author (``created_by_ref``) than the identity
published for that organisation, or one declared for it with ``peer add --author`` (a
plain TAXII feed's own identity), and carrying no forwarding grant, is refused (one that
carries one is decided by ingest, :mod:`passerelle.policy.forwarding`), as are
an entry that is not a JSON object, an object larger than ``MAX_OBJECT_BYTES`` and
whatever ingest refuses (invalid, or a version of an object another organisation owns);
each refusal is recorded for the peer with its reason. A page that fails (an error, a
timeout, a connection closed, malformed JSON) stores nothing and leaves the cursor where
the last stored page put it.

What a peer answers is bounded: no answer is read past ``MAX_PAGE_BYTES`` (a larger one
is asked again for half as many objects, down to one), and a page holding more objects
than asked is refused whole, with a one-line error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from passerelle.core.context import Deferred
from passerelle.federation.peers import (
    Link,
    Peer,
    authorization,
    link_channel,
    links_of,
    node_account,
)
from passerelle.federation.transport import AnswerTooLarge, Page, PeerClient, PeerUnreachable
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import ingest
from passerelle.objects.leaving import held_versions
from passerelle.policy.actions import require_write
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import FORWARDING, HANDLING_EXTENSION_ID
from passerelle.stix.organisations import organisation_identity_id
from passerelle.stix.timestamps import now_micros, version_key
from passerelle.store.database import Database
from passerelle.store.federation_tables import peer_cursors, peer_refusals

PAGE_SIZE = 2000
# The most of one answer read into memory. A larger answer is not read to its end: the
# page is asked again for half as many objects, down to one; a single object larger than
# this stops the pull with a one-line error (the cursor stays before it). Three objects
# as large as an object may be (MAX_OBJECT_BYTES), so one of them always fits.
MAX_PAGE_BYTES = 32 * 1024 * 1024
# An object larger than this (as JSON) is refused: no larger than an envelope this node
# takes over TAXII by default (PASSERELLE_MAX_CONTENT_LENGTH), so no peer can store here
# what no writer could post.
MAX_OBJECT_BYTES = 10 * 1024 * 1024
_MAX_PAGES = 10_000


@dataclass
class PullReport:
    """What one pass of pull did for a peer."""

    peer: str
    stored: int = 0
    known: int = 0
    refused: int = 0


@dataclass
class _Run:
    """One pull of one link: who writes, where, from which cursor, and how many objects
    a page asks for (halved while the peer's answers are too large)."""

    peer: Peer
    link: Link
    channel: Channel
    writer: Viewer
    added_after: str
    next_token: str
    page_size: int = PAGE_SIZE


def pull_peer(
    database: Database,
    hooks: Hooks | Deferred[Hooks],
    peer: Peer,
    timeout: float,
    page_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PullReport:
    """Fetch every pulled collection of a peer into its channel, from the saved cursors
    (``progress`` is told how many objects each page brought; ``hooks`` may be deferred:
    built when the first new object is stored)."""
    report = PullReport(peer.name)
    with database.read() as conn:
        links = [link for link in links_of(conn, peer.id) if link.pull]
        if not links:
            return report
        runs = [_start(conn, peer, link) for link in links]
    client = PeerClient(peer.url, authorization(peer), peer.ca_file, timeout)
    try:
        for run in runs:
            _pull_link(database, hooks, client, run, report, (page_size or PAGE_SIZE, progress))
    finally:
        client.close()
    return report


def _start(conn: Connection, peer: Peer, link: Link) -> _Run:
    writer = node_account(conn, peer)
    channel = link_channel(conn, link)
    require_write(conn, writer, channel)
    row = conn.execute(select(peer_cursors).where(peer_cursors.c.link_id == link.id)).first()
    added_after, token = (row.added_after, row.next_token) if row else ("", "")
    return _Run(peer, link, channel, writer, added_after, token)


def _pull_link(
    database: Database,
    hooks: Hooks | Deferred[Hooks],
    client: PeerClient,
    run: _Run,
    report: PullReport,
    paging: tuple[int, Callable[[int], None] | None],
) -> None:
    run.page_size, progress = paging
    newest = run.added_after
    # Resumed from a saved page token: the cursor of the last complete run, read again at
    # the end unless the peer shows that its tokens name pages (None: nothing to read
    # again). medallion's token names a session it hands pages out of, one token for the
    # whole run: a page it handed out before a failure, never stored, is not given again.
    replay = run.added_after if run.next_token else None
    seen: set[tuple[str, int]] = set()
    for _ in range(_MAX_PAGES):
        used, asked = run.next_token, run.page_size
        page = _fetch_bounded(client, run)
        if used and not run.next_token:  # expired: a fresh run from the last complete one
            replay = None
        elif used and run.page_size != asked and replay is None:
            # Asked again for fewer objects under the same token: a peer whose token names
            # a session (medallion) handed the page too large out once; read the run again.
            replay = run.added_after
        _refuse_circles(run, seen, page)
        _store(database, hooks, run, page.objects, report)
        if progress is not None:
            progress(len(page.objects))
        newest = max(newest, _timestamp(page.date_added_last))
        run.next_token = page.next if page.more and page.next else ""
        if used and run.next_token not in ("", used):
            replay = None  # a token for each page: the saved one gave the page it named
        if not run.next_token and replay is None:
            run.added_after = newest
        _save_cursor(database, run)
        if not run.next_token:
            if replay is None:
                return
            replay = None
            seen.clear()  # the run read again is a run of its own: its pages come again


def _refuse_circles(run: _Run, seen: set[tuple[str, int]], page: Page) -> None:
    """Stop a paging that goes round in circles: the same token bringing the same page
    again (medallion gives one token for every page of a run, so a token seen again is
    no circle by itself)."""
    asked = (run.next_token, _fingerprint(page.objects))
    if asked[0] and asked in seen:
        raise PeerUnreachable(
            f"{run.peer.url}: its paging goes round in circles (next {asked[0][:40]!r} again)"
        )
    seen.add(asked)


def _fingerprint(objects: list[Any]) -> int:
    """Return what tells one page from another: the versions it holds, in order."""
    return hash(tuple(_key(o) if isinstance(o, dict) else ("", "") for o in objects))


def _timestamp(header: str) -> str:
    """Return the peer's X-TAXII-Date-Added-Last if it is a timestamp, else '' (a cursor
    the peer would refuse would stop every later pull)."""
    try:
        version_key(header)
    except ValueError:
        return ""
    return header


def _fetch_bounded(client: PeerClient, run: _Run) -> Page:
    """Fetch the next page, no larger than MAX_PAGE_BYTES and no more objects than asked.

    An answer too large is asked again for half as many objects (the rest of the run
    keeps the smaller size), down to one. A page of more objects than asked is refused
    whole: a peer that does not honour ``limit`` would otherwise choose how much one
    transaction here holds.
    """
    while True:
        try:
            page = _fetch(client, run)
        except AnswerTooLarge as exc:
            if run.page_size == 1:
                raise PeerUnreachable(f"{exc} (even one object at a time)") from None
            run.page_size = max(1, run.page_size // 2)
            continue
        if len(page.objects) > run.page_size:
            raise PeerUnreachable(
                f"{run.peer.url}: its page holds {len(page.objects)} objects, more than the "
                f"{run.page_size} asked (limit); nothing of it was stored"
            )
        return page


def _fetch(client: PeerClient, run: _Run) -> Page:
    params = {"match[version]": "all", "limit": str(run.page_size)}
    if run.added_after:
        params["added_after"] = run.added_after
    collection, most = run.link.remote_collection, MAX_PAGE_BYTES
    if not run.next_token:
        return client.get_objects(collection, params, most)
    try:
        return client.get_objects(collection, {**params, "next": run.next_token}, most)
    except PeerUnreachable as exc:
        if exc.http_status not in (400, 404):
            raise
        run.next_token = ""  # expired: start again from the last complete run
        return client.get_objects(collection, params, most)


def _store(
    database: Database,
    hooks: Hooks | Deferred[Hooks],
    run: _Run,
    objects: list[Any],
    report: PullReport,
) -> None:
    authors = {organisation_identity_id(run.peer.org_name), *run.peer.authors}
    entries = [o for o in objects if isinstance(o, dict)]
    with database.read() as conn:
        held = held_versions(conn, [k for k in map(_key, entries) if k[1]])
    fresh: list[dict[str, Any]] = []
    refusals = [(("", ""), "not a JSON object") for o in objects if not isinstance(o, dict)]
    for obj in entries:
        key = _key(obj)
        if key in held:
            report.known += 1
        elif (reason := _refusal(obj, authors, run.peer.org_name)) is not None:
            refusals.append((key, reason))
        else:
            fresh.append(obj)
    if fresh:
        # The listeners are built only when something new arrives (a pass that brings
        # nothing never imports the features they come from).
        listeners = hooks.get() if isinstance(hooks, Deferred) else hooks
        result = ingest(database, listeners, run.writer, run.channel, fresh)
        report.stored += len(result.successes)
        refusals += [((v.id, v.version), v.message) for v in result.failures]
    report.refused += len(refusals)
    if refusals:
        _record_refusals(database, run.peer, refusals)


def _refusal(obj: dict[str, Any], authors: set[str], org_name: str) -> str | None:
    """Why a pulled object is refused before ingest sees it (None: it goes on)."""
    author = obj.get("created_by_ref")
    named_other = author is not None and (not isinstance(author, str) or author not in authors)
    if named_other and not _carries_forwarding(obj):
        return f"names another author than {org_name!r} (and carries no forwarding grant)"
    try:
        size = len(orjson.dumps(obj))
    except orjson.JSONEncodeError:  # nested deeper than JSON is written here
        return "cannot be written back as JSON (nested too deeply)"
    return f"larger than {MAX_OBJECT_BYTES} bytes" if size > MAX_OBJECT_BYTES else None


def _carries_forwarding(obj: dict[str, Any]) -> bool:
    extensions = obj.get("extensions")
    handling = extensions.get(HANDLING_EXTENSION_ID) if isinstance(extensions, dict) else None
    return isinstance(handling, dict) and FORWARDING in handling


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    stamp = str(obj.get("modified") or obj.get("created") or "")
    try:
        return str(obj.get("id", "")), version_key(stamp)
    except ValueError:
        return str(obj.get("id", "")), ""


def _record_refusals(
    database: Database, peer: Peer, refusals: list[tuple[tuple[str, str], str]]
) -> None:
    now = now_micros()
    rows = [
        {
            "peer_id": peer.id,
            "stix_id": key[0][:300],
            "version": key[1][:40],
            "at": now,
            "reason": reason[:1000],
        }
        for key, reason in refusals
    ]
    with database.write() as conn:
        conn.execute(peer_refusals.insert(), rows)


def _save_cursor(database: Database, run: _Run) -> None:
    with database.write() as conn:
        conn.execute(delete(peer_cursors).where(peer_cursors.c.link_id == run.link.id))
        conn.execute(
            peer_cursors.insert().values(
                link_id=run.link.id,
                next_token=run.next_token,
                added_after=run.added_after,
                updated=now_micros(),
            )
        )
