"""The search page and the object page.

Search reads through :func:`passerelle.objects.search.search` (the objects layer, with
its filter from the policy module); a value that reads as an observable (a phone number,
an address, a hash...) is also looked up with the correlation operation the REST API
serves (``correlation.lookup``). The object page shows an object in the newest version
its viewer may see, every version of it they may see, and what correlates with it
(``correlation.correlate``, with its entities). An object the viewer may not see answers
exactly like one that does not exist (404); a role that reads no content (an auditor's)
is refused (403), as the API refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.correlation import queries
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.federation import withheld
from passerelle.objects.latest import Placed, visible_placements
from passerelle.objects.search import SearchCursor, SearchFilter, SearchPage, search
from passerelle.policy.directory import Channel, find_organisation
from passerelle.policy.visibility import member_channels
from passerelle.policy.workflow import require_worker
from passerelle.stix.markings import Tlp
from passerelle.web.access import context_of, page, signed_in
from passerelle.web.sessions import WebSession
from passerelle.web.views import object_views

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
PAGE_SIZE = 25
MAX_QUERY = 500
TYPES = (
    "indicator",
    "report",
    "threat-actor",
    "intrusion-set",
    "identity",
    "location",
    "relationship",
    "sighting",
    "malware",
    "note",
    "opinion",
)


@dataclass
class Asked:
    """The search as the form asked for it (echoed back into the form)."""

    q: str = ""
    type: str = ""
    channel: str = ""
    tlp: str = ""
    producer: str = ""
    since: str = ""
    until: str = ""
    size: int = PAGE_SIZE


@dataclass
class Results:
    """What the search page shows."""

    page: SearchPage = field(default_factory=SearchPage)
    observable: queries.Correlation | None = None
    problem: str = ""


def next_link(asked: Asked, token: str | None) -> str:
    """Return the link to the page after this one ('' on the last page)."""
    if not token:
        return ""
    values: dict[str, str | int] = {k: v for k, v in asked.__dict__.items() if v and k != "size"}
    if asked.size != PAGE_SIZE:
        values["size"] = asked.size
    return "/search?" + urlencode({**values, "next": token})


def _day(text: str, name: str) -> int | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"{name}: not a date (YYYY-MM-DD): {text[:20]!r}") from exc
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1_000_000)


def _filter(conn: Connection, ctx: Context, asked: Asked, channels: list[Channel]) -> SearchFilter:
    """Build the objects layer's filter; a channel or producer unknown to the viewer
    selects nothing, exactly like a known one holding nothing they may see."""
    channel_ids = None
    if asked.channel:
        channel_ids = [c.id for c in channels if asked.channel in (c.collection_id, c.title)]
    producer = None
    if asked.producer:
        try:
            producer = find_organisation(conn, asked.producer).id
        except NotFound:
            producer = -1
    tlp = None
    if asked.tlp:
        try:
            tlp = Tlp.parse(asked.tlp)
        except ValueError as exc:
            raise BadInput(f"no TLP level {asked.tlp[:30]!r}") from exc
    until = _day(asked.until, "until")
    return SearchFilter(
        text=asked.q,
        types=[asked.type] if asked.type else [],
        channel_ids=channel_ids,
        tlp=tlp,
        producer_org_id=producer,
        added_from=_day(asked.since, "since"),
        added_until=None if until is None else until + 86_400_000_000,
    )


def _observable(ctx: Context, text: str) -> queries.Correlation | None:
    """Look the text up as an observable when it reads as one (else None)."""
    try:
        return queries.lookup(ctx, queries.LookupRequest(value=text, limit=PAGE_SIZE))
    except BadInput:
        return None


def run_search(ctx: Context, asked: Asked, after: str) -> tuple[Results, list[Channel]]:
    """Search for the viewer; audit what they were shown."""
    results = Results()
    with ctx.database.read() as conn:
        channels = member_channels(conn, ctx.viewer)
        try:
            flt = _filter(conn, ctx, asked, channels)
            results.page = search(conn, ctx.viewer, flt, asked.size, SearchCursor.parse(after))
        except BadInput as exc:
            results.problem = exc.message
            return results, channels
    if asked.q.strip() and not after:
        results.observable = _observable(ctx, asked.q)
    audit.record_alone(
        ctx.database,
        ctx.viewer,
        "search",
        [found.stix_id for found in results.page.found],
        {"q": asked.q, "type": asked.type, "channel": asked.channel, "tlp": asked.tlp},
    )
    return results, channels


def _asked(request: Request) -> Asked:
    params = request.query_params
    size = params.get("size", "")
    return Asked(
        q=params.get("q", "")[:MAX_QUERY],
        type=params.get("type", "")[:100],
        channel=params.get("channel", "")[:200],
        tlp=params.get("tlp", "")[:30],
        producer=params.get("producer", "")[:200],
        since=params.get("since", "")[:20],
        until=params.get("until", "")[:20],
        size=int(size) if size.isdigit() and 0 < int(size) <= 100 else PAGE_SIZE,
    )


@router.get("/search")
def search_page(request: Request, session: Session) -> HTMLResponse:
    """Search what the viewer may see."""
    ctx = context_of(request, session)
    try:
        require_worker(ctx.viewer)
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    asked = _asked(request)
    searched = any(v for k, v in asked.__dict__.items() if k != "size")
    if searched:
        results, channels = run_search(ctx, asked, request.query_params.get("next", "")[:400])
    else:
        results, channels = Results(), member_channels_of(ctx)
    return page(
        request,
        "search.html",
        400 if results.problem else 200,
        session,
        asked=asked,
        searched=searched,
        results=results,
        channels=channels,
        types=TYPES,
        levels=[level.label for level in Tlp],
        problem=results.problem,
        next_link=next_link(asked, results.page.next),
    )


def member_channels_of(ctx: Context) -> list[Channel]:
    """Return the channels the viewer may know of (the channel filter's choices)."""
    with ctx.database.read() as conn:
        return member_channels(conn, ctx.viewer)


@router.get("/objects/{object_id}")
def object_page(request: Request, object_id: str, session: Session) -> HTMLResponse:
    """One object: its newest version, its versions, what correlates with it."""
    ctx = context_of(request, session)
    try:
        require_worker(ctx.viewer)
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    views = object_views(ctx, [object_id])
    if not views:
        return page(request, "error.html", 404, session, problem="not-found")
    with ctx.database.read() as conn:
        placements: list[Placed] = visible_placements(conn, ctx.viewer, object_id)
    correlation = None
    if not views[0].withheld:
        correlation = queries.correlate(ctx, queries.CorrelateRequest(object_id=object_id))
    keys = correlation.keys if correlation else []
    asked = withheld.WithheldRequest(object_id=object_id, limit=20)
    return page(
        request,
        "object.html",
        200,
        session,
        obj=views[0],
        placements=placements,
        correlation=correlation,
        entities=[k.partition(":")[2] for k in keys if k.startswith("entity:")],
        levels=[level.label for level in Tlp],
        withheld=withheld.list_withheld(ctx, asked).withheld,
    )
