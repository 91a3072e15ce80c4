"""The events a subscription is owed a notice of, each with only what its recipient may be
told (:mod:`passerelle.policy.notices` says what that is).

Events are found in the workflow's own records (receipts, outcomes, hits, RFIs) rather
than remembered when they happen: a notice whose event committed is found again by the
next pass whatever happened to the process in between. Deadlines near and past are
found the same way, from the clock. Each event has a key, so its notice is queued once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from passerelle.core.context import stamp
from passerelle.objects.latest import bodies_of
from passerelle.policy import workflow
from passerelle.policy.notices import hit_may_be_told, tip_may_be_named
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import organisations, rfis, tip_receipts, tips, watch_hits, watches


@dataclass(frozen=True)
class Notice:
    """One notice owed: its event's key and time, and what it may say (``facts``)."""

    event: str
    at: int
    facts: dict[str, Any]


@dataclass(frozen=True)
class Span:
    """When to look: events (and deadlines passed) since ``since``; deadlines to come
    within ``near``."""

    since: int
    now: int
    near: int


Finder = Callable[[Connection, Viewer, Span], Iterator[Notice]]

_PARTNER = organisations.alias("partner")
_PRODUCER = organisations.alias("producer")


def _tip_facts(conn: Connection, viewer: Viewer, row: Any, **facts: Any) -> dict[str, Any]:
    """The facts of a tip's notice, or only its id (for the link) when it may not be named."""
    if not tip_may_be_named(conn, viewer, row.stix_id, row.version):
        return {"tip": row.id, "withheld": True}
    return {"tip": row.id, **facts}


def tips_received(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """Receipts of the viewer's organisation for tips whose object the viewer may see."""
    query = (
        select(tips, tip_receipts.c.received_at, _PRODUCER.c.name.label("sender"))
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .join(_PRODUCER, _PRODUCER.c.id == tips.c.producer_org_id)
        .where(workflow.tips_received_by(viewer), tip_receipts.c.received_at >= span.since)
    )
    for row in conn.execute(query):
        facts = _tip_facts(
            conn,
            viewer,
            row,
            sender=row.sender,
            acknowledge_by=stamp(row.ack_deadline),
            outcome_by=stamp(row.outcome_deadline),
        )
        if "withheld" not in facts:
            body = bodies_of(conn, {row.stix_id: row.version}).get(row.stix_id, {})
            facts["title"] = str(body.get("name") or "")
        yield Notice(row.id, row.received_at, facts)


def outcomes_received(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """Outcomes recorded by partners on tips the viewer's organisation shared."""
    query = (
        select(tips, tip_receipts.c.closed_at, tip_receipts.c.outcome, tip_receipts.c.org_id)
        .add_columns(_PARTNER.c.name)
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .join(_PARTNER, _PARTNER.c.id == tip_receipts.c.org_id)
        .where(
            workflow.tips_sent_by(viewer),
            tip_receipts.c.state == "closed",
            tip_receipts.c.closed_at >= span.since,
        )
    )
    for row in conn.execute(query):
        facts = _tip_facts(conn, viewer, row, partner=row.name, outcome=row.outcome)
        yield Notice(f"{row.id}:{row.org_id}", row.closed_at, facts)


@dataclass(frozen=True)
class Window:
    """Deadlines after ``after`` and at or before ``until``."""

    after: int
    until: int

    def where(self, column: Any) -> Any:
        """Return the condition on a deadline column."""
        return and_(column > self.after, column <= self.until)

    def holds(self, deadline: int) -> bool:
        """Tell whether a deadline falls in the window."""
        return self.after < deadline <= self.until


def _tip_deadlines(conn: Connection, viewer: Viewer, window: Window) -> Iterator[Notice]:
    """Open receipts whose acknowledgement or outcome deadline falls in ``window``."""
    late_ack = and_(tip_receipts.c.state == "received", window.where(tips.c.ack_deadline))
    late_outcome = and_(tip_receipts.c.state != "closed", window.where(tips.c.outcome_deadline))
    query = (
        select(tips, tip_receipts.c.state.label("receipt_state"), tip_receipts.c.org_id)
        .add_columns(_PARTNER.c.name)
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .join(_PARTNER, _PARTNER.c.id == tip_receipts.c.org_id)
        .where(
            or_(late_ack, late_outcome),
            or_(workflow.tips_received_by(viewer), workflow.tips_sent_by(viewer)),
        )
    )
    for row in conn.execute(query):
        ack = row.receipt_state == "received" and window.holds(row.ack_deadline)
        missing = "acknowledgement" if ack else "outcome"
        deadline = row.ack_deadline if ack else row.outcome_deadline
        mine = row.producer_org_id == viewer.org_id
        facts = _tip_facts(
            conn,
            viewer,
            row,
            side="sent" if mine else "received",
            partner=row.name if mine else _org_name(conn, row.producer_org_id),
            missing=missing,
            deadline=stamp(deadline),
        )
        yield Notice(f"{row.id}:{row.org_id}:{missing}", deadline, facts)


def _rfi_deadlines(conn: Connection, viewer: Viewer, window: Window) -> Iterator[Notice]:
    """Open RFIs of the viewer's organisation, either way, whose deadline is in ``window``."""
    query = (
        select(rfis, _PARTNER.c.name.label("asked"), _PRODUCER.c.name.label("asking"))
        .join(_PARTNER, _PARTNER.c.id == rfis.c.to_org_id)
        .join(_PRODUCER, _PRODUCER.c.id == rfis.c.from_org_id)
        .where(
            rfis.c.state == "open", window.where(rfis.c.deadline), workflow.rfis_known_to(viewer)
        )
    )
    for row in conn.execute(query):
        mine = row.from_org_id == viewer.org_id
        facts = {
            "rfi": row.id,
            "side": "sent" if mine else "received",
            "partner": row.asked if mine else row.asking,
            "deadline": stamp(row.deadline),
        }
        yield Notice(row.id, row.deadline, facts)


def _org_name(conn: Connection, org_id: int) -> str:
    query = select(organisations.c.name).where(organisations.c.id == org_id)
    return str(conn.execute(query).scalar())


def deadlines_near(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """Tips and RFIs, either side, whose deadline comes within ``span.near``."""
    window = Window(span.now, span.now + span.near)
    yield from _tip_deadlines(conn, viewer, window)
    yield from _rfi_deadlines(conn, viewer, window)


def deadlines_passed(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """Tips and RFIs, either side, past their deadline (since ``span.since``), still open."""
    window = Window(span.since - 1, span.now)
    yield from _tip_deadlines(conn, viewer, window)
    yield from _rfi_deadlines(conn, viewer, window)


def watch_hits_of(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """Hits of the watches the viewer's organisation keeps, on versions the viewer may see."""
    query = (
        select(watch_hits.c.id, watch_hits.c.watch_id, watch_hits.c.at)
        .add_columns(watch_hits.c.stix_id, watch_hits.c.version)
        .join(watches, watches.c.id == watch_hits.c.watch_id)
        .where(workflow.watches_kept_by(viewer), watch_hits.c.at >= span.since)
    )
    for row in conn.execute(query):
        if hit_may_be_told(conn, viewer, row.stix_id, row.version):
            facts = {"watch": row.watch_id, "hit_at": stamp(row.at)}
            yield Notice(f"hit:{row.id}", row.at, facts)


def rfis_received(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """RFIs asked of the viewer's organisation."""
    query = (
        select(rfis, _PRODUCER.c.name.label("asking"))
        .join(_PRODUCER, _PRODUCER.c.id == rfis.c.from_org_id)
        .where(
            workflow.rfis_known_to(viewer),
            rfis.c.to_org_id == viewer.org_id,
            rfis.c.created >= span.since,
        )
    )
    for row in conn.execute(query):
        facts = {
            "rfi": row.id,
            "from": row.asking,
            "urgency": row.urgency,
            "deadline": stamp(row.deadline),
        }
        yield Notice(row.id, row.created, facts)


def rfis_answered(conn: Connection, viewer: Viewer, span: Span) -> Iterator[Notice]:
    """RFIs of the viewer's organisation that the asked organisation answered or refused."""
    query = (
        select(rfis, _PARTNER.c.name.label("asked"))
        .join(_PARTNER, _PARTNER.c.id == rfis.c.to_org_id)
        .where(
            workflow.rfis_known_to(viewer),
            rfis.c.from_org_id == viewer.org_id,
            rfis.c.state.in_(["answered", "refused"]),
            rfis.c.closed_at >= span.since,
        )
    )
    for row in conn.execute(query):
        facts = {"rfi": row.id, "by": row.asked, "state": row.state}
        yield Notice(row.id, row.closed_at, facts)


FINDERS: dict[str, Finder] = {
    "tip-received": tips_received,
    "deadline-near": deadlines_near,
    "overdue": deadlines_passed,
    "outcome-received": outcomes_received,
    "watch-hit": watch_hits_of,
    "rfi-received": rfis_received,
    "rfi-answered": rfis_answered,
}
