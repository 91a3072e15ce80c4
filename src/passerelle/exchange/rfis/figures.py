"""RFI figures: how many RFIs each partner and the viewer's organisation asked each
other, and how they were answered. The one count of RFIs, used by partner figures too."""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, select

from passerelle.exchange.rfis.models import ANSWERED, OPEN, REFUSED, RfiFigures
from passerelle.exchange.rfis.reading import from_org, to_org
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import rfis_known_to
from passerelle.store.schema import rfis


def rfi_figures(conn: Connection, viewer: Viewer, now: int) -> list[RfiFigures]:
    """Count the viewer's organisation's RFIs per partner and direction (partner figures)."""
    is_open = rfis.c.state == OPEN
    query = (
        select(
            rfis.c.from_org_id,
            rfis.c.to_org_id,
            from_org.c.name.label("from_org_name"),
            to_org.c.name.label("to_org_name"),
            func.count().label("asked"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((rfis.c.state == ANSWERED, 1), else_=0)).label("answered"),
            func.sum(case((rfis.c.state == REFUSED, 1), else_=0)).label("refused"),
            func.sum(case((and_(is_open, rfis.c.deadline < now), 1), else_=0)).label("overdue"),
            func.sum(case((rfis.c.closed_at > rfis.c.deadline, 1), else_=0)).label("late"),
        )
        .join(from_org, from_org.c.id == rfis.c.from_org_id)
        .join(to_org, to_org.c.id == rfis.c.to_org_id)
        .where(rfis_known_to(viewer))
        .group_by(rfis.c.from_org_id, rfis.c.to_org_id, from_org.c.name, to_org.c.name)
    )
    figures = []
    for row in conn.execute(query):
        sent = row.from_org_id == viewer.org_id
        figures.append(
            RfiFigures(
                partner=row.to_org_name if sent else row.from_org_name,
                partner_id=row.to_org_id if sent else row.from_org_id,
                direction="sent" if sent else "received",
                asked=int(row.asked),
                open=int(row.open or 0),
                answered=int(row.answered or 0),
                refused=int(row.refused or 0),
                overdue=int(row.overdue or 0),
                closed_late=int(row.late or 0),
            )
        )
    return sorted(figures, key=lambda f: (f.partner, f.direction))
