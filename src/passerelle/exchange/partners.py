"""Partner figures: how each partner and we handle each other's tips and RFIs.

Per partner and direction ("to" the partner: what we sent them and how they answered;
"from" the partner: what they sent us and how we answered). Every figure counts only
records the asking user may know of (policy.workflow), so no count includes the others.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from passerelle.core.context import Context
from passerelle.core.operations import Operation, register
from passerelle.durations import SECOND, format_duration
from passerelle.exchange.rfis import rfi_figures
from passerelle.exchange.tips import NoRequest
from passerelle.policy import workflow
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import (
    channel_members,
    organisations,
    tip_events,
    tip_receipts,
    tips,
    watch_hits,
    watches,
)

# The receipt event that records a watch hit a partner's node reported on one of our tips.
WATCH_HIT_EVENT = "watch-hit"


class Figures(BaseModel):
    """One direction of the exchange with one partner."""

    direction: Literal["to", "from"]
    tips: int = 0
    acknowledged_pct: float | None = None
    median_to_acknowledge: str | None = None
    median_to_acknowledge_seconds: int | None = None
    with_outcome_pct: float | None = None
    median_to_outcome: str | None = None
    median_to_outcome_seconds: int | None = None
    outcomes: dict[str, int] = Field(default_factory=dict)
    overdue: int = 0
    rfis_asked: int = 0
    rfis_answered: int = 0
    rfis_refused: int = 0
    rfis_overdue: int = 0
    watch_hits_reported: int = 0


class Partner(BaseModel):
    """Figures with one partner organisation, both directions."""

    partner: str
    to_them: Figures = Field(description="Tips and RFIs we sent them, and how they answered")
    from_them: Figures = Field(description="Tips and RFIs they sent us, and how we answered")


@dataclass
class _Tally:
    tips: int = 0
    acknowledged: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    rfis: Counter[str] = field(default_factory=Counter)
    hits: int = 0

    def figures(self, direction: Literal["to", "from"]) -> Figures:
        """Return the tally as figures: percentages of the tips, median delays."""

        def pct(part: int) -> float | None:
            return round(100 * part / self.tips, 1) if self.tips else None

        def mid(values: list[int]) -> tuple[str | None, int | None]:
            if not values:
                return None, None
            middle = int(median(values))
            return format_duration(middle), middle // SECOND

        ack_text, ack_seconds = mid(self.acknowledged)
        out_text, out_seconds = mid(self.closed)
        return Figures(
            direction=direction,
            tips=self.tips,
            acknowledged_pct=pct(len(self.acknowledged)),
            median_to_acknowledge=ack_text,
            median_to_acknowledge_seconds=ack_seconds,
            with_outcome_pct=pct(len(self.closed)),
            median_to_outcome=out_text,
            median_to_outcome_seconds=out_seconds,
            outcomes=dict(sorted(self.outcomes.items())),
            overdue=self.overdue,
            rfis_asked=self.rfis["asked"],
            rfis_answered=self.rfis["answered"],
            rfis_refused=self.rfis["refused"],
            rfis_overdue=self.rfis["overdue"],
            watch_hits_reported=self.hits,
        )


def _partners(conn: Connection, viewer: Viewer) -> dict[int, str]:
    """Organisations we share a channel with: partners even before any tip."""
    mine = select(channel_members.c.channel_id).where(channel_members.c.org_id == viewer.org_id)
    rows = conn.execute(
        select(organisations.c.id, organisations.c.name)
        .join(channel_members, channel_members.c.org_id == organisations.c.id)
        .where(channel_members.c.channel_id.in_(mine), organisations.c.id != viewer.org_id)
        .distinct()
    )
    return {row.id: row.name for row in rows}


def _tally_tips(
    conn: Connection, viewer: Viewer, now: int, tallies: dict[tuple[int, str], _Tally]
) -> None:
    base = select(
        tips.c.producer_org_id,
        tips.c.ack_deadline,
        tips.c.outcome_deadline,
        tip_receipts.c.org_id,
        tip_receipts.c.state,
        tip_receipts.c.received_at,
        tip_receipts.c.acknowledged_at,
        tip_receipts.c.closed_at,
        tip_receipts.c.outcome,
    ).join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
    sent = conn.execute(base.where(workflow.tips_sent_by(viewer))).all()
    received = conn.execute(base.where(workflow.tips_received_by(viewer))).all()
    for rows, direction in ((sent, "to"), (received, "from")):
        for row in rows:
            partner = row.org_id if direction == "to" else row.producer_org_id
            tally = tallies.setdefault((partner, direction), _Tally())
            tally.tips += 1
            if row.acknowledged_at is not None:
                tally.acknowledged.append(row.acknowledged_at - row.received_at)
            if row.closed_at is not None:
                tally.closed.append(row.closed_at - row.received_at)
                tally.outcomes[row.outcome] += 1
            late_ack = row.state == "received" and now > row.ack_deadline
            if late_ack or (row.state != "closed" and now > row.outcome_deadline):
                tally.overdue += 1


def _tally_rfis(
    conn: Connection, viewer: Viewer, now: int, tallies: dict[tuple[int, str], _Tally]
) -> None:
    """Tally the RFIs per partner from the RFI figures, the one count of them."""
    for figures in rfi_figures(conn, viewer, now):
        direction = "to" if figures.direction == "sent" else "from"
        tally = tallies.setdefault((figures.partner_id, direction), _Tally())
        tally.rfis.update(
            asked=figures.asked,
            answered=figures.answered,
            refused=figures.refused,
            overdue=figures.overdue,
        )


def _tally_hits(conn: Connection, viewer: Viewer, tallies: dict[tuple[int, str], _Tally]) -> None:
    """Watch hits told back: by us on partners' tips, and by partners on ours."""
    reported = (
        select(watches.c.org_id, tips.c.producer_org_id)
        .join(watches, watches.c.id == watch_hits.c.watch_id)
        .join(tips, tips.c.id == watches.c.source_tip_id)
        .where(watch_hits.c.report_state == "sent")
    )
    for row in conn.execute(reported.where(workflow.watches_kept_by(viewer))):
        tallies.setdefault((row.producer_org_id, "from"), _Tally()).hits += 1
    for row in conn.execute(reported.where(workflow.tips_sent_by(viewer))):
        tallies.setdefault((row.org_id, "to"), _Tally()).hits += 1
    # A partner working on another node keeps its watches there: the hits it reports on
    # our tips are events of its receipt here (passerelle.federation.tips).
    told = (
        select(tip_events.c.org_id)
        .join(tips, tips.c.id == tip_events.c.tip_id)
        .where(tip_events.c.state == WATCH_HIT_EVENT, workflow.tips_sent_by(viewer))
    )
    for org_id in conn.execute(told).scalars():
        tallies.setdefault((org_id, "to"), _Tally()).hits += 1


def partner_figures(ctx: Context, _request: NoRequest) -> list[Partner]:
    """Return the figures per partner organisation and direction."""
    workflow.require_worker(ctx.viewer)
    now = ctx.now()
    tallies: dict[tuple[int, str], _Tally] = {}
    with ctx.database.read() as conn:
        names = _partners(conn, ctx.viewer)
        _tally_tips(conn, ctx.viewer, now, tallies)
        _tally_rfis(conn, ctx.viewer, now, tallies)
        _tally_hits(conn, ctx.viewer, tallies)
        missing = {org for org, _ in tallies if org not in names}
        if missing:
            rows = conn.execute(
                select(organisations.c.id, organisations.c.name).where(
                    organisations.c.id.in_(missing)
                )
            )
            names.update({row.id: row.name for row in rows})
    return [
        Partner(
            partner=name,
            to_them=tallies.get((org, "to"), _Tally()).figures("to"),
            from_them=tallies.get((org, "from"), _Tally()).figures("from"),
        )
        for org, name in sorted(names.items(), key=lambda item: item[1])
    ]


PARTNERS = register(Operation("partners", "GET", "/api/partners", NoRequest, partner_figures))
