"""REST API of tips: share, inbox, sent, overdue, show, and the receiving side's transitions."""

from __future__ import annotations

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.exchange import tips
from passerelle.exchange.tips import (
    AckBody,
    AckRequest,
    CloseBody,
    CloseRequest,
    Inbox,
    ListRequest,
    NoRequest,
    Overdue,
    ShareRequest,
    Tip,
    TipRef,
)

router = APIRouter(prefix="/api")

_ALL = Query(False, description="Include closed tips")


@router.post("/tips", response_model=Tip, status_code=201)
def share(body: ShareRequest, ctx: ContextDep) -> Tip:
    """Share an object (and what it refers to) into a channel as a tip: all of it or nothing."""
    return tips.share(ctx, body)


@router.get("/tips/inbox", response_model=Inbox)
def inbox(ctx: ContextDep, all: bool = _ALL) -> Inbox:
    """Tips your organisation received (open ones unless ``all``), recent watch hits and
    your watches about to expire."""
    return tips.inbox(ctx, ListRequest(all=all))


@router.get("/tips/sent", response_model=list[Tip])
def sent(ctx: ContextDep, all: bool = _ALL) -> list[Tip]:
    """Tips your organisation shared, with each receiving organisation's state."""
    return tips.sent(ctx, ListRequest(all=all))


@router.get("/tips/overdue", response_model=list[Overdue])
def overdue(ctx: ContextDep) -> list[Overdue]:
    """Receipts past their acknowledgement or outcome deadline, on both sides."""
    return tips.overdue(ctx, NoRequest())


@router.get("/tips/{tip_id}", response_model=Tip)
def show(tip_id: str, ctx: ContextDep) -> Tip:
    """One tip and the history of the receipts you may see."""
    return tips.show(ctx, TipRef(tip_id=tip_id))


@router.post("/tips/{tip_id}/ack", response_model=Tip)
def acknowledge(tip_id: str, body: AckBody, ctx: ContextDep) -> Tip:
    """Acknowledge a received tip, naming its owner."""
    return tips.acknowledge(ctx, AckRequest(tip_id=tip_id, **body.model_dump()))


@router.post("/tips/{tip_id}/investigate", response_model=Tip)
def investigate(tip_id: str, ctx: ContextDep) -> Tip:
    """Start investigating an acknowledged tip."""
    return tips.investigate(ctx, TipRef(tip_id=tip_id))


@router.post("/tips/{tip_id}/close", response_model=Tip)
def close(tip_id: str, body: CloseBody, ctx: ContextDep) -> Tip:
    """Close a tip with an outcome."""
    return tips.close(ctx, CloseRequest(tip_id=tip_id, **body.model_dump()))
