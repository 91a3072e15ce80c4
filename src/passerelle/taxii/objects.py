"""Objects, manifest and versions of a collection (TAXII 2.1 sections 5.3 to 5.8)."""

from __future__ import annotations

from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Query, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from passerelle.audit import log as audit
from passerelle.errors import Forbidden
from passerelle.http.errors import TaxiiError
from passerelle.http.media import TAXII_MEDIA_TYPE, TaxiiResponse, is_taxii_content
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import ingest
from passerelle.objects.queries import (
    Cursor,
    Entry,
    ObjectFilter,
    Page,
    entries_page,
    object_entries,
    owners_of_versions,
    status_resource,
)
from passerelle.objects.removal import erase_everywhere, placed_by_forwarder, remove_from_channel
from passerelle.policy.actions import require_write
from passerelle.policy.directory import Channel
from passerelle.policy.roles import Role
from passerelle.policy.visibility import channel_for, require_read
from passerelle.stix.misp_objects import MISP_PREFIX, declare_misp_objects
from passerelle.stix.timestamps import micros_to_text
from passerelle.stix.upgrade import upgrade_document
from passerelle.taxii.context import ROOT_PATH, Call, CallDep

router = APIRouter(default_response_class=TaxiiResponse)
COLLECTION = f"{ROOT_PATH}collections/{{collection_id}}"

AddedAfter = Annotated[str | None, Query(description="Only what was added after this time")]
Limit = Annotated[int | None, Query(ge=1, description="Largest number of items in the page")]
Next = Annotated[str | None, Query(description="Token from the previous page's 'next'")]
MatchId = Annotated[str | None, Query(alias="match[id]", description="Comma-separated ids")]
MatchType = Annotated[str | None, Query(alias="match[type]", description="Comma-separated types")]
MatchVersion = Annotated[
    str | None,
    Query(alias="match[version]", description="first, last, all or timestamps (default last)"),
]
MatchSpec = Annotated[str | None, Query(alias="match[spec_version]", description="e.g. 2.1")]


WITHHELD_HEADER = "X-Passerelle-Withheld"


def _page_headers(page: Page) -> dict[str, str]:
    headers = {}
    if page.entries:
        headers["X-TAXII-Date-Added-First"] = micros_to_text(page.entries[0].date_added)
        headers["X-TAXII-Date-Added-Last"] = micros_to_text(page.entries[-1].date_added)
    if page.withheld:
        # Objects the viewer may see once they acknowledge their H3 restriction.
        headers[WITHHELD_HEADER] = ",".join(w.stix_id for w in page.withheld)
    return headers


def _h3_refusal(page: Page) -> TaxiiError:
    first = page.withheld[0]
    return TaxiiError(
        403,
        f"{first.stix_id} carries a restriction (H3) that you must acknowledge before "
        f"reading it: {first.text!r}. Acknowledge with POST /api/acknowledgements "
        f'{{"object_id": "{first.stix_id}"}} or: passerelle acknowledge {first.stix_id}',
    )


def _envelope_bytes(page: Page) -> bytes:
    # Bodies are stored as JSON text; splicing them avoids parsing and re-serialising.
    parts = [b'{"more":', b"true" if page.more else b"false"]
    if page.next:
        parts += [b',"next":', orjson.dumps(page.next)]
    if page.entries:
        parts += [b',"objects":[', b",".join(e.body.encode() for e in page.entries), b"]"]
    parts.append(b"}")
    return b"".join(parts)


def _limit(call: Call, limit: int | None) -> int:
    return min(limit or call.settings.default_page_size, call.settings.max_page_size)


def _readable_channel(call: Call, conn: Connection, collection_id: str) -> Channel:
    channel = channel_for(conn, call.viewer, collection_id)
    require_read(conn, call.viewer, channel)
    return channel


def _read_page(
    call: Call,
    collection_id: str,
    flt: ObjectFilter,
    limit: int | None,
    next: str | None,
    with_bodies: bool = True,
) -> tuple[Channel, Page]:
    with call.database.read() as conn:
        channel = _readable_channel(call, conn, collection_id)
        page = entries_page(
            conn, call.viewer, channel, flt, _limit(call, limit), Cursor.parse(next), with_bodies
        )
    return channel, page


def _require_object(call: Call, channel: Channel, object_id: str) -> None:
    """Answer 404 unless the viewer may see some version of the object in the channel.

    Filters (added_after, match[version], match[spec_version]) that leave nothing of an
    object that exists give an empty answer, never a 404 (sections 5.6 and 5.8): a client
    polling one object must not think it was deleted.
    """
    every = ObjectFilter(ids=[object_id], versions=["all"])
    with call.database.read() as conn:
        if not object_entries(conn, call.viewer, channel, every, limit=1):
            raise TaxiiError(404, f"no object {object_id[:80]!r} in this collection")


def _listing(page: Page, key: str, items: list[Any]) -> TaxiiResponse:
    body: dict[str, Any] = {"more": page.more}
    if page.next:
        body["next"] = page.next
    if items:
        body[key] = items
    return TaxiiResponse(body, headers=_page_headers(page))


@router.get(f"{COLLECTION}/objects/")
def get_objects(
    collection_id: str,
    call: CallDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> TaxiiResponse:
    """Return a page of the collection's objects (latest versions unless asked otherwise)."""
    flt = ObjectFilter.parse(added_after, match_id, match_type, match_version, match_spec_version)
    channel, page = _read_page(call, collection_id, flt, limit, next)
    call.audit("read", [e.stix_id for e in page.entries], channel=channel.title)
    return TaxiiResponse(_envelope_bytes(page), headers=_page_headers(page))


@router.get(f"{COLLECTION}/manifest/")
def get_manifest(
    collection_id: str,
    call: CallDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> TaxiiResponse:
    """Return a page of manifest records: id, date_added, version and media type."""
    flt = ObjectFilter.parse(added_after, match_id, match_type, match_version, match_spec_version)
    channel, page = _read_page(call, collection_id, flt, limit, next, with_bodies=False)
    call.audit("read-manifest", [e.stix_id for e in page.entries], channel=channel.title)
    return _listing(page, "objects", [e.manifest_record() for e in page.entries])


@router.get(f"{COLLECTION}/objects/{{object_id}}/")
def get_object(
    collection_id: str,
    object_id: str,
    call: CallDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> TaxiiResponse:
    """Return the object with this id (its latest version unless asked otherwise)."""
    flt = ObjectFilter.parse(added_after, object_id, None, match_version, match_spec_version)
    channel, page = _read_page(call, collection_id, flt, limit, next)
    if not page.entries and page.withheld:
        raise _h3_refusal(page)
    if not page.entries and next is None:
        _require_object(call, channel, object_id)
    call.audit("read", [e.stix_id for e in page.entries], channel=channel.title)
    return TaxiiResponse(_envelope_bytes(page), headers=_page_headers(page))


@router.get(f"{COLLECTION}/objects/{{object_id}}/versions/")
def get_versions(
    collection_id: str,
    object_id: str,
    call: CallDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_spec_version: MatchSpec = None,
) -> TaxiiResponse:
    """List the versions of an object held in this collection."""
    flt = ObjectFilter.parse(added_after, object_id, None, "all", match_spec_version)
    channel, page = _read_page(call, collection_id, flt, limit, next, with_bodies=False)
    if not page.entries and next is None:
        _require_object(call, channel, object_id)
    call.audit("read-versions", [object_id], channel=channel.title)
    return _listing(page, "versions", [e.version_text for e in page.entries])


@router.delete(f"{COLLECTION}/objects/{{object_id}}/")
def delete_object(
    collection_id: str,
    object_id: str,
    request: Request,
    call: CallDep,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> TaxiiResponse:
    """Take an object's versions (all unless filtered) out of this collection; asked by a
    peer's node account, erase them from every collection of this node (or, for versions
    of another organisation it forwarded here, withdraw them from this collection)."""
    flt = ObjectFilter.parse(None, object_id, None, match_version, match_spec_version, "all")
    state = request.app.state
    with call.database.write() as conn:
        channel = _readable_channel(call, conn, collection_id)
        entries = object_entries(conn, call.viewer, channel, flt)
        if not entries:
            raise TaxiiError(404, f"no object {object_id[:80]!r} in this collection")
        require_write(conn, call.viewer, channel)
        allowed = owners_of_versions(conn, entries) == {call.viewer.org_id}
        if allowed:
            _remove(call, conn, state.hooks, channel, entries, state.clock())
        else:
            allowed = call.viewer.role is Role.NODE and placed_by_forwarder(
                conn, call.viewer, channel, entries
            )
            if allowed:
                _withdraw(call, conn, state.hooks, channel, entries, state.clock())
    if not allowed:
        # Recorded apart: the refused request's transaction is rolled back.
        call.audit("delete-refused", [object_id], channel=channel.title)
        raise Forbidden("only the organisation that produced an object may delete it")
    return TaxiiResponse(b"", status_code=200)


def _remove(
    call: Call, conn: Connection, hooks: Hooks, channel: Channel, entries: list[Entry], now: int
) -> None:
    ids = sorted({e.stix_id for e in entries})
    versions = sorted({e.version for e in entries})
    if call.viewer.role is Role.NODE:
        held = erase_everywhere(conn, hooks, call.viewer, entries, now)
        detail = {"channel": channel.title, "channels": len(held), "versions": versions}
        audit.record(call.database, conn, call.viewer, "erase", ids, detail)
    else:
        remove_from_channel(conn, hooks, call.viewer, channel, entries, now)
        audit.record(call.database, conn, call.viewer, "delete", ids, {"channel": channel.title})


def _withdraw(
    call: Call, conn: Connection, hooks: Hooks, channel: Channel, entries: list[Entry], now: int
) -> None:
    """Take versions a node account forwarded here out of this collection (audited)."""
    remove_from_channel(conn, hooks, call.viewer, channel, entries, now)
    ids = sorted({e.stix_id for e in entries})
    detail = {"channel": channel.title, "versions": sorted({e.version for e in entries})}
    audit.record(call.database, conn, call.viewer, "withdraw", ids, detail)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TaxiiError(413, f"the body exceeds max_content_length ({limit} bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TaxiiError(413, f"the body exceeds max_content_length ({limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_envelope(raw: bytes) -> list[Any]:
    try:
        envelope = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise TaxiiError(400, f"the body is not valid JSON: {exc}") from exc
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(422, "the body must be a TAXII envelope: an object with an 'objects' list")
    found: list[Any] = envelope["objects"]
    # Objects that say STIX 2.0 are upgraded, MISP's x-misp-* objects declared (as import).
    # Neither can be there unless its bytes are (an escaped spelling is merely refused).
    if _STIX20 in raw:
        upgrade = upgrade_document(None, found)
        found = upgrade.objects if upgrade else found
    return declare_misp_objects(found)[0] if MISP_PREFIX.encode() in raw else found


_STIX20: Final = b'"2.0"'


def _writable_channel(call: Call, collection_id: str) -> Channel:
    with call.database.read() as conn:
        channel = channel_for(conn, call.viewer, collection_id)
        require_write(conn, call.viewer, channel)
    return channel


@router.post(f"{COLLECTION}/objects/", status_code=202)
async def add_objects(collection_id: str, request: Request, call: CallDep) -> TaxiiResponse:
    """Add an envelope of STIX objects; each is accepted or refused with a reason."""
    channel = await run_in_threadpool(_writable_channel, call, collection_id)
    if not is_taxii_content(request.headers.get("content-type")):
        raise TaxiiError(415, f"send objects as {TAXII_MEDIA_TYPE}")
    raw = await _read_body(request, call.settings.max_content_length)
    candidates = _parse_envelope(raw)
    state = request.app.state
    result = await run_in_threadpool(
        ingest, call.database, state.hooks, call.viewer, channel, candidates, clock=state.clock
    )
    status = status_resource(
        result.status_id,
        result.request_timestamp,
        result.total,
        [v.as_status_entry() for v in result.successes],
        [v.as_status_entry() for v in result.failures],
    )
    return TaxiiResponse(status, status_code=202)
