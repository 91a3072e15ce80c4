"""The read operations on tips: the inbox, what was sent, one tip, what is overdue (each
registered here, so that performing one imports none of the lifecycle's write path)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import and_, or_

from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.durations import format_duration
from passerelle.exchange.tips.models import Inbox, ListRequest, NoRequest, Overdue, Tip, TipRef
from passerelle.exchange.tips.reading import find_tip, object_summaries, tip_query, tip_views
from passerelle.exchange.watches.inbox import inbox_notices
from passerelle.policy import workflow
from passerelle.store.schema import organisations, tip_receipts, tips


def inbox(ctx: Context, request: ListRequest) -> Inbox:
    """List the tips received by the viewer's organisation (open ones, or all), with the
    watch notices: recent hits and the viewer's watches about to expire."""
    workflow.require_worker(ctx.viewer)
    query = (
        tip_query()
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .where(workflow.tips_received_by(ctx.viewer))
        .order_by(tips.c.shared_at.desc(), tips.c.id)
    )
    if not request.all:
        query = query.where(tip_receipts.c.state != "closed")
    now = ctx.now()
    with ctx.database.read() as conn:
        found = tip_views(conn, ctx.viewer, conn.execute(query).all(), now)
        notices = inbox_notices(conn, ctx.viewer, now, warning=ctx.settings.watch_warning)
    return Inbox(tips=found, watches=notices)


def sent(ctx: Context, request: ListRequest) -> list[Tip]:
    """List the tips the viewer's organisation shared, with every recipient's state."""
    workflow.require_worker(ctx.viewer)
    query = tip_query().where(workflow.tips_sent_by(ctx.viewer)).order_by(tips.c.shared_at.desc())
    with ctx.database.read() as conn:
        views = tip_views(conn, ctx.viewer, conn.execute(query).all(), ctx.now())
    if not request.all:
        views = [v for v in views if any(r.state != "closed" for r in v.receipts)]
    return views


def show(ctx: Context, request: TipRef) -> Tip:
    """Show one tip with its receipts' history (the producer sees all, a recipient its own)."""
    workflow.require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = find_tip(conn, ctx.viewer, request.tip_id)
        return tip_views(conn, ctx.viewer, [row], ctx.now(), detail=True)[0]


def overdue(ctx: Context, request: NoRequest) -> list[Overdue]:
    """List the receipts past a deadline, on both sides: what the viewer owes and is owed."""
    workflow.require_worker(ctx.viewer)
    now = ctx.now()
    late = or_(
        and_(tip_receipts.c.state == "received", tips.c.ack_deadline < now),
        and_(tip_receipts.c.state != "closed", tips.c.outcome_deadline < now),
    )
    receiver = organisations.alias("receiver")
    query = (
        tip_query()
        .add_columns(tip_receipts.c.state.label("receipt_state"), receiver.c.name.label("receiver"))
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .join(receiver, receiver.c.id == tip_receipts.c.org_id)
        .where(
            late,
            or_(workflow.tips_received_by(ctx.viewer), workflow.tips_sent_by(ctx.viewer)),
        )
        .order_by(tips.c.shared_at)
    )
    found = []
    with ctx.database.read() as conn:
        rows = conn.execute(query).all()
        summaries = object_summaries(conn, [(row.stix_id, row.version) for row in rows])
        for row in rows:
            mine = row.producer_org_id == ctx.viewer.org_id
            missing: Literal["acknowledgement", "outcome"] = (
                "acknowledgement"
                if row.receipt_state == "received" and row.ack_deadline < now
                else "outcome"
            )
            deadline = row.ack_deadline if missing == "acknowledgement" else row.outcome_deadline
            found.append(
                Overdue(
                    tip_id=row.id,
                    side="sent" if mine else "received",
                    partner=row.receiver if mine else row.producer,
                    object_name=summaries[row.stix_id, row.version][1],
                    state=row.receipt_state,
                    missing=missing,
                    deadline=stamp(deadline) or "",
                    late_by=format_duration(now - deadline),
                )
            )
    return found


INBOX = register(Operation("tips.inbox", "GET", "/api/tips/inbox", ListRequest, inbox))
SENT = register(Operation("tips.sent", "GET", "/api/tips/sent", ListRequest, sent))
OVERDUE = register(Operation("tips.overdue", "GET", "/api/tips/overdue", NoRequest, overdue))
SHOW = register(Operation("tips.show", "GET", "/api/tips/{tip_id}", TipRef, show))
