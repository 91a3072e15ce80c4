"""The home page: what needs the signed-in user today, and sharing a tip.

Every part is read through the workflow's own operations (the ones the REST API serves),
so the page shows, counts and marks exactly what the API would list: received tips
(overdue ones first), tips sent with each recipient's state, RFIs to answer, the watch
notices, and the organisation's intake drafts under review. A part its user's role may
not read (an auditor's) is left out.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from passerelle.core.context import Context
from passerelle.core.operations import perform
from passerelle.errors import Forbidden, PasserelleError
from passerelle.exchange import rfis, tips
from passerelle.exchange.watches import WatchNotices
from passerelle.intake import review
from passerelle.web.access import (
    checked_form,
    context_of,
    field,
    page,
    refused,
    signed_in,
    signed_in_still,
)
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]


@dataclasses.dataclass
class Inbox:
    """What the home page shows; ``None`` for a part the user's role may not read."""

    received: list[tips.Tip] | None = None
    sent: list[tips.Tip] | None = None
    questions: list[rfis.RfiRow] | None = None
    watches: WatchNotices | None = None
    drafts: list[review.DraftSummary] | None = None
    counters: dict[str, int] = dataclasses.field(default_factory=dict)
    # Open received tips per state of the viewer's organisation's receipt, in lifecycle order.
    by_state: dict[str, int] = dataclasses.field(default_factory=dict)


def _overdue(tip: tips.Tip) -> bool:
    return any(r.ack_overdue or r.outcome_overdue for r in tip.receipts)


def _deadline(tip: tips.Tip) -> str:
    waiting_ack = any(r.state == "received" for r in tip.receipts)
    return tip.ack_deadline if waiting_ack else tip.outcome_deadline


def read_inbox(ctx: Context) -> Inbox:
    """Read the home page's parts for the context's viewer."""
    found = Inbox()
    try:
        received = tips.inbox(ctx, tips.ListRequest())
        found.sent = tips.sent(ctx, tips.ListRequest())
        found.questions = rfis.list_rfis(ctx, rfis.ListRfis(direction="received", state="open"))
        found.drafts = review.list_drafts(ctx, review.ListDrafts())
    except Forbidden:
        return found
    found.received = sorted(received.tips, key=lambda t: (not _overdue(t), _deadline(t)))
    found.watches = received.watches
    found.counters = {
        "received": len(found.received),
        "overdue": sum(_overdue(t) for t in found.received),
        "rfis": len(found.questions),
        "hits": len(received.watches.hits),
        "drafts": len(found.drafts),
    }
    for state in ("received", "acknowledged", "investigating"):
        found.by_state[state] = sum(
            any(r.state == state for r in tip.receipts) for tip in found.received
        )
    return found


@router.get("/")
def inbox_page(request: Request, session: Session) -> HTMLResponse:
    """The inbox."""
    return page(request, "inbox.html", 200, session, inbox=read_inbox(context_of(request, session)))


@router.get("/fragments/counters")
def counters_fragment(
    request: Request, session: Annotated[WebSession, Depends(signed_in_still)]
) -> HTMLResponse:
    """The inbox counters alone (htmx refreshes them)."""
    inbox = read_inbox(context_of(request, session))
    return page(request, "counters.html", 200, session, inbox=inbox)


@router.post("/tips")
async def share_tip(request: Request, session: Session) -> Response:
    """Share an object as a tip, then show the tip."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    ctx = context_of(request, session)
    recipients = [n.strip() for n in field(form, "recipients").split(",") if n.strip()]
    try:
        shared = perform(
            tips.SHARE,
            ctx,
            tips.ShareRequest(
                object_id=field(form, "object_id"),
                channel=field(form, "channel"),
                recipients=recipients,
                action_requested=field(form, "action_requested"),
            ),
        )
    except (PasserelleError, ValidationError) as exc:
        problem = exc.message if isinstance(exc, PasserelleError) else str(exc.errors()[0]["msg"])
        inbox = read_inbox(ctx)
        return page(request, "inbox.html", 400, session, inbox=inbox, problem=problem)
    return RedirectResponse(f"/tips/{shared.id}", status_code=303)
