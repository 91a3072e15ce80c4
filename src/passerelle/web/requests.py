"""The RFI and watch pages: list, send, answer and refuse RFIs; add, extend and end
watches; their hits.

Every read and action runs the exchange operation the REST API serves (``rfi.*``,
``watch.*``) in the same context, so the pages list, show and allow exactly what the API
does: an RFI or watch the viewer may not know of answers 404 like one that does not
exist, and a role that takes no part in the workflow (an auditor's) is refused (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from passerelle.core.context import Context
from passerelle.errors import Forbidden, NotFound, PasserelleError
from passerelle.exchange import rfis, watches
from passerelle.web.access import checked_form, context_of, field, page, refused, signed_in
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
Action = Callable[[Context, FormData], Any]


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e['loc'][-1] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
    return exc.message if isinstance(exc, PasserelleError) else str(exc)


def _rfis_page(
    request: Request, session: WebSession, status: int = 200, problem: str = ""
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        listed = rfis.list_rfis(ctx, rfis.ListRfis())
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    return page(request, "rfis.html", status, session, rfis=listed, problem=problem)


def _rfi_page(
    request: Request, session: WebSession, rfi_id: str, status: int = 200, problem: str = ""
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        rfi = rfis.show_rfi(ctx, rfis.ShowRfi(rfi_id=rfi_id))
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except PasserelleError as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    return page(request, "rfi.html", status, session, rfi=rfi, problem=problem)


def _watches_page(
    request: Request, session: WebSession, status: int = 200, problem: str = ""
) -> HTMLResponse:
    ctx = context_of(request, session)
    try:
        kept = watches.list_watches(ctx, watches.ListWatches(all=True))
        hits = watches.list_hits(ctx, watches.ListHits())
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    return page(request, "watches.html", status, session, watches=kept, hits=hits, problem=problem)


async def _act(
    request: Request,
    session: WebSession,
    action: Action,
    done: Callable[[Any], str],
    again: Callable[[int, str], HTMLResponse],
) -> Response:
    """Run an action from a form carrying the session's token, then go where it says; a
    refusal shows the page again with its reason."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    try:
        result = action(context_of(request, session), form)
    except ValidationError as exc:
        return again(400, _problem(exc))
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except Forbidden as exc:
        return again(403, _problem(exc))
    except PasserelleError as exc:
        return again(409, _problem(exc))
    return RedirectResponse(done(result), status_code=303)


def _optional(form: FormData, name: str) -> str | None:
    return field(form, name) or None


@router.get("/rfis")
def rfis_page(request: Request, session: Session) -> HTMLResponse:
    """RFIs sent and received, and the form to send one."""
    return _rfis_page(request, session)


@router.post("/rfis")
async def send_rfi(request: Request, session: Session) -> Response:
    """Send an RFI, then show it."""

    def send(ctx: Context, form: FormData) -> rfis.RfiDetail:
        values = {
            "to": field(form, "to"),
            "purpose": field(form, "purpose"),
            "urgency": field(form, "urgency") or "normal",
            "about": _optional(form, "about"),
            "within": _optional(form, "within"),
        }
        return rfis.send_rfi(ctx, rfis.SendRfi.model_validate(values))

    return await _act(
        request,
        session,
        send,
        lambda rfi: f"/rfis/{rfi.id}",
        lambda status, problem: _rfis_page(request, session, status, problem),
    )


@router.get("/rfis/{rfi_id}")
def rfi_page(request: Request, rfi_id: str, session: Session) -> HTMLResponse:
    """One RFI, with the forms to answer or refuse it."""
    return _rfi_page(request, session, rfi_id)


@router.post("/rfis/{rfi_id}/{verb}")
async def rfi_action(request: Request, rfi_id: str, verb: str, session: Session) -> Response:
    """Answer or refuse an RFI, then show it again."""

    def run(ctx: Context, form: FormData) -> Any:
        if verb == "answer":
            ids = [i for i in field(form, "objects").replace(",", " ").split() if i]
            answer = rfis.AnswerRfi(rfi_id=rfi_id, objects=ids, channel=_optional(form, "channel"))
            return rfis.answer_rfi(ctx, answer)
        if verb == "refuse":
            reason = field(form, "reason")
            return rfis.refuse_rfi(ctx, rfis.RefuseRfi(rfi_id=rfi_id, reason=reason))
        raise NotFound(f"no action {verb[:20]!r} on an RFI")

    return await _act(
        request,
        session,
        run,
        lambda _: f"/rfis/{rfi_id}",
        lambda status, problem: _rfi_page(request, session, rfi_id, status, problem),
    )


@router.get("/watches")
def watches_page(request: Request, session: Session) -> HTMLResponse:
    """The organisation's watches, their hits, and the form to add one."""
    return _watches_page(request, session)


@router.post("/watches")
async def add_watch(request: Request, session: Session) -> Response:
    """Add a watch, then list the watches."""

    def add(ctx: Context, form: FormData) -> watches.Watch:
        what = field(form, "kind")
        values: dict[str, Any] = {
            "owner": _optional(form, "owner"),
            "until": _optional(form, "until"),
        }
        if what in ("subject", "name", "observable"):
            values[what] = field(form, "value")
        return watches.add_watch(ctx, watches.AddWatch.model_validate(values))

    return await _act(
        request,
        session,
        add,
        lambda _: "/watches",
        lambda status, problem: _watches_page(request, session, status, problem),
    )


@router.post("/watches/{watch_id}/{verb}")
async def watch_action(request: Request, watch_id: str, verb: str, session: Session) -> Response:
    """Extend or end a watch, then list the watches."""

    def run(ctx: Context, form: FormData) -> Any:
        if verb == "extend":
            until = field(form, "until")
            return watches.extend_watch(ctx, watches.ExtendWatch(watch_id=watch_id, until=until))
        if verb == "end":
            reason = field(form, "reason")
            return watches.end_watch(ctx, watches.EndWatch(watch_id=watch_id, reason=reason))
        raise NotFound(f"no action {verb[:20]!r} on a watch")

    return await _act(
        request,
        session,
        run,
        lambda _: "/watches",
        lambda status, problem: _watches_page(request, session, status, problem),
    )
