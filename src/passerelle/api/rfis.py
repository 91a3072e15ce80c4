"""REST API of the exchange workflow: requests for information (RFIs).

Each route serves one operation of :mod:`passerelle.exchange.rfis` at that operation's
method and path: path fields in the path, the other fields in the JSON body (POST) or
the query string (GET), exactly as the remote command line sends them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.exchange import rfis
from passerelle.exchange.rfis import (
    AnswerBody,
    AnswerRfi,
    ListRfis,
    RefuseBody,
    RefuseRfi,
    RfiDetail,
    RfiRow,
    SendRfi,
    ShowRfi,
)

router = APIRouter(prefix="/api")

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed request, or a rule of the request refused it"},
    401: {"description": "Valid credentials are required"},
    403: {"description": "You may not do this (auditors, the wrong side of the RFI)"},
    404: {"description": "No such RFI or object that you may know of"},
}
_STATE_ERRORS: dict[int | str, dict[str, str]] = {
    **_ERRORS,
    409: {"description": "The RFI is no longer open"},
}


@router.post(
    rfis.SEND.path.removeprefix("/api"),
    status_code=201,
    responses=_ERRORS,
    summary="Send an RFI",
)
def send_rfi(body: SendRfi, ctx: ContextDep) -> RfiDetail:
    """Ask another organisation for information, by a deadline set from the urgency."""
    return rfis.send_rfi(ctx, body)


@router.get(rfis.LIST.path.removeprefix("/api"), responses=_ERRORS, summary="List RFIs")
def list_rfis(query: Annotated[ListRfis, Query()], ctx: ContextDep) -> list[RfiRow]:
    """List the RFIs your organisation sent or received: open ones first, soonest due."""
    return rfis.list_rfis(ctx, query)


@router.get(rfis.SHOW.path.removeprefix("/api"), responses=_ERRORS, summary="Show an RFI")
def show_rfi(rfi_id: str, ctx: ContextDep) -> RfiDetail:
    """Show one RFI your organisation sent or received (full id or 8+ characters of it)."""
    return rfis.show_rfi(ctx, ShowRfi(rfi_id=rfi_id))


@router.post(
    rfis.ANSWER.path.removeprefix("/api"), responses=_STATE_ERRORS, summary="Answer an RFI"
)
def answer_rfi(rfi_id: str, body: AnswerBody, ctx: ContextDep) -> RfiDetail:
    """Answer an open RFI your organisation was asked with objects the asker may then see."""
    return rfis.answer_rfi(ctx, AnswerRfi(rfi_id=rfi_id, **body.model_dump()))


@router.post(
    rfis.REFUSE.path.removeprefix("/api"), responses=_STATE_ERRORS, summary="Refuse an RFI"
)
def refuse_rfi(rfi_id: str, body: RefuseBody, ctx: ContextDep) -> RfiDetail:
    """Refuse an open RFI your organisation was asked, with a reason the asker reads."""
    return rfis.refuse_rfi(ctx, RefuseRfi(rfi_id=rfi_id, **body.model_dump()))
