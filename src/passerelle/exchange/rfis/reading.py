"""Reading RFIs as the viewer's organisation sees them, and the read operations.

Every read goes through :func:`passerelle.policy.workflow.rfis_known_to`: an RFI of other
organisations answers exactly like an id that does not exist, and auditors see none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, case, select

from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import find_record
from passerelle.durations import MINUTE, format_duration
from passerelle.exchange.rfis.models import OPEN, ListRfis, RfiDetail, RfiRow, ShowRfi
from passerelle.objects.latest import visible_ids
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker, rfis_known_to
from passerelle.store.schema import organisations, rfi_answers, rfis, users

from_org = organisations.alias("from_org")
to_org = organisations.alias("to_org")
_from_user = users.alias("from_user")
_closer = users.alias("closer")


def select_rfis(viewer: Viewer) -> Select[Any]:
    """Select the RFIs the viewer's organisation asked or was asked, with their names."""
    return (
        select(
            rfis,
            from_org.c.name.label("from_org_name"),
            to_org.c.name.label("to_org_name"),
            _from_user.c.username.label("from_username"),
            _closer.c.username.label("closer_username"),
        )
        .join(from_org, from_org.c.id == rfis.c.from_org_id)
        .join(to_org, to_org.c.id == rfis.c.to_org_id)
        .join(_from_user, _from_user.c.id == rfis.c.from_user_id)
        .outerjoin(_closer, _closer.c.id == rfis.c.closed_by)
        .where(rfis_known_to(viewer))
    )


def resolve_rfi(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the row of the RFI the viewer means, by full id or unique uuid prefix.

    An RFI of other organisations is never matched, so it answers like a missing one.
    """
    return find_record(conn, select_rfis(viewer), rfis.c.id, "rfi", "RFI", reference)


def _span(micros: int) -> str:
    """Write a positive duration for people; under a minute is not "0m"."""
    return format_duration(micros) if micros >= MINUTE else "<1m"


def _row(viewer: Viewer, row: Any, now: int) -> RfiRow:
    sent = row.from_org_id == viewer.org_id
    is_open = row.state == OPEN
    end = now if is_open else row.closed_at
    late = max(0, end - row.deadline)
    return RfiRow(
        id=row.id,
        direction="sent" if sent else "received",
        partner=row.to_org_name if sent else row.from_org_name,
        purpose=row.purpose,
        urgency=row.urgency,
        state=row.state,
        created=stamp(row.created) or "",
        deadline=stamp(row.deadline) or "",
        closed_at=stamp(row.closed_at),
        overdue=is_open and now > row.deadline,
        time_left=_span(row.deadline - now) if is_open and now <= row.deadline else None,
        late_by=_span(late) if late > 0 else None,
    )


def rfi_detail(conn: Connection, viewer: Viewer, row: Any, now: int) -> RfiDetail:
    """Return everything about one RFI (a row of :func:`select_rfis`) the viewer may know."""
    answer_ids = [
        r.stix_id
        for r in conn.execute(
            select(rfi_answers.c.stix_id)
            .where(rfi_answers.c.rfi_id == row.id)
            .order_by(rfi_answers.c.stix_id)
        )
    ]
    wanted = [*answer_ids, *([row.about_id] if row.about_id else [])]
    seen = visible_ids(conn, viewer, wanted)
    return RfiDetail(
        **_row(viewer, row, now).model_dump(),
        from_org=row.from_org_name,
        from_user=row.from_username,
        to_org=row.to_org_name,
        about=row.about_id if row.about_id in seen else None,
        closed_by=row.closer_username,
        reason=row.reason,
        answers=[stix_id for stix_id in answer_ids if stix_id in seen],
    )


def show_rfi(ctx: Context, request: ShowRfi) -> RfiDetail:
    """Return one RFI the viewer's organisation asked or was asked."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = resolve_rfi(conn, ctx.viewer, request.rfi_id)
        return rfi_detail(conn, ctx.viewer, row, ctx.now())


def list_rfis(ctx: Context, request: ListRfis) -> list[RfiRow]:
    """List the RFIs of the viewer's organisation: open ones first, soonest due first."""
    require_worker(ctx.viewer)
    viewer, now = ctx.viewer, ctx.now()
    query = select_rfis(viewer)
    if request.direction == "sent":
        query = query.where(rfis.c.from_org_id == viewer.org_id)
    elif request.direction == "received":
        query = query.where(rfis.c.to_org_id == viewer.org_id)
    if request.state is not None:
        query = query.where(rfis.c.state == request.state)
    if request.overdue:
        query = query.where(rfis.c.state == OPEN, rfis.c.deadline < now)
    is_open = rfis.c.state == OPEN
    query = query.order_by(
        case((is_open, 0), else_=1),
        case((is_open, rfis.c.deadline), else_=-rfis.c.created),
        rfis.c.id,
    )
    with ctx.database.read() as conn:
        return [_row(viewer, row, now) for row in conn.execute(query)]


LIST = register(Operation("rfi.list", "GET", "/api/rfis", ListRfis, list_rfis))
SHOW = register(Operation("rfi.show", "GET", "/api/rfis/{rfi_id}", ShowRfi, show_rfi))
