"""The tip page: the tip's objects for people, its handling rules, its receipts, and the
lifecycle's actions (acknowledge, investigate, close with an outcome) as forms.

A tip the viewer may not know of answers exactly like one that does not exist (404). The
actions run the tip operations the REST API serves, with their refusals shown on the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.operations import perform
from passerelle.errors import NotFound, PasserelleError
from passerelle.exchange import tips
from passerelle.policy.actions import acknowledge
from passerelle.web.access import (
    checked_form,
    context_of,
    field,
    local_path,
    page,
    refused,
    signed_in,
)
from passerelle.web.sessions import WebSession
from passerelle.web.views import tip_objects

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]


def _tip_page(
    request: Request, session: WebSession, tip_id: str, status: int = 200, problem: str = ""
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        tip = perform(tips.SHOW, ctx, tips.TipRef(tip_id=tip_id))
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except PasserelleError as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    mine = next((r for r in tip.receipts if r.organisation == session.viewer.org_name), None)
    objects = tip_objects(ctx, tip)
    return page(
        request,
        "tip.html",
        status,
        session,
        tip=tip,
        objects=objects,
        main_object=next((o for o in objects if o.id == tip.object_id), None),
        receipt=mine if tip.side == "received" else None,
        outcomes=tips.OUTCOMES,
        problem=problem,
    )


@router.get("/tips/{tip_id}")
def tip_page(request: Request, tip_id: str, session: Session) -> HTMLResponse:
    """One tip."""
    return _tip_page(request, session, tip_id)


def _close_request(tip_id: str, form: FormData) -> tips.CloseRequest:
    arrests = field(form, "arrests")
    values: dict[str, Any] = {
        "tip_id": tip_id,
        "outcome": field(form, "outcome"),
        "arrests": arrests or None,
        "seizures": field(form, "seizures"),
        "checked": field(form, "checked"),
        "note": field(form, "note"),
        "watch": field(form, "watch") != "no",
        "no_watch_reason": field(form, "no_watch_reason"),
    }
    return tips.CloseRequest.model_validate(values)


def _run(ctx: Context, action: str, tip_id: str, form: FormData) -> None:
    if action == "ack":
        ack = tips.AckRequest(tip_id=tip_id, owner=field(form, "owner") or None)
        perform(tips.ACK, ctx, ack)
    elif action == "investigate":
        perform(tips.INVESTIGATE, ctx, tips.TipRef(tip_id=tip_id))
    elif action == "close":
        perform(tips.CLOSE, ctx, _close_request(tip_id, form))
    else:
        raise NotFound(f"no action {action[:20]!r} on a tip")


@router.post("/tips/{tip_id}/{action}")
async def tip_action(request: Request, tip_id: str, action: str, session: Session) -> Response:
    """Acknowledge, investigate or close a received tip, then show it again."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    try:
        _run(context_of(request, session), action, tip_id, form)
    except ValidationError as exc:
        problem = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        return _tip_page(request, session, tip_id, 400, problem)
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except PasserelleError as exc:
        return _tip_page(request, session, tip_id, 409, exc.message)
    return RedirectResponse(f"/tips/{tip_id}", status_code=303)


@router.post("/acknowledgements")
async def acknowledge_restriction(request: Request, session: Session) -> Response:
    """Acknowledge an object's H3 restriction (what the API's /api/acknowledgements does),
    then go back to the page it was shown on."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    database = request.app.state.database
    object_id = field(form, "object_id")
    try:
        with database.write() as conn:
            acknowledge(conn, session.viewer, object_id)
            audit.record(database, conn, session.viewer, "acknowledge", [object_id])
    except PasserelleError:
        return page(request, "error.html", 404, session, problem="not-found")
    return RedirectResponse(local_path(field(form, "next")), status_code=303)
