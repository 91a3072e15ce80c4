"""The queue of notices owed: filled from the workflow's records, each event once per
subscription; claimed for a delivery; settled as delivered, retried later, or given up.

A claim is a lease: the row is ``sending`` until ``next_attempt``. A process that stops
mid-delivery leaves the claim to expire, and the next pass delivers the notice then (so a
notice whose sending was cut short may arrive twice, never not at all; each carries its
delivery id for the receiver to see it was the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from passerelle.durations import DAY, MINUTE
from passerelle.notify.events import FINDERS, Span
from passerelle.policy.directory import active_viewer
from passerelle.policy.roles import Role
from passerelle.store.database import Database
from passerelle.store.notify_tables import notify_queue, notify_subscriptions

# How long a claimed notice stays claimed: longer than one SMTP or webhook exchange.
LEASE = 5 * MINUTE
# How far back a pass looks for events (and deadlines passed): an event that no pass
# queued within a week (delivery stopped that long) is stale.
LOOK_BACK = 7 * DAY


@dataclass(frozen=True)
class Due:
    """A notice claimed for delivery, with where it goes."""

    id: int
    kind: str
    at: int
    facts: dict[str, Any]
    attempts: int
    user_id: int
    via: str
    address: str
    secret: str = ""

    def __repr__(self) -> str:
        # Never the secret, wherever a notice is logged.
        return f"Due(id={self.id}, kind={self.kind!r}, via={self.via!r})"


def collect(database: Database, now: int, near: int) -> int:
    """Queue every notice owed to every subscription; return how many were new. Safe to
    run at any time, from any process: an event already queued for a subscription is never
    queued again."""
    with database.read() as conn:
        subscriptions = conn.execute(select(notify_subscriptions)).all()
    queued = 0
    for subscription in subscriptions:
        # Found in a read; written only when something is new (a quiet pass locks nothing).
        with database.read() as conn:
            rows = _owed(conn, subscription, now, near)
        if rows and _queue(database, rows):
            queued += len(rows)
    return queued


def _queue(database: Database, rows: list[dict[str, Any]]) -> bool:
    """Insert queue rows, skipping events already queued; False if the subscription went
    away meanwhile (an unsubscription between the read and this write)."""
    try:
        with database.write() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(notify_queue).on_conflict_do_nothing(
                index_elements=["subscription_id", "event"]
            )
            conn.execute(statement, rows)
    except IntegrityError:
        return False
    return True


def _owed(conn: Connection, subscription: Any, now: int, near: int) -> list[dict[str, Any]]:
    """Return the queue rows of the notices owed to a subscription and not yet queued."""
    viewer = active_viewer(conn, subscription.user_id)
    if viewer is None or viewer.role is Role.AUDITOR:
        return []
    # Each pass looks back a bounded time, so its cost does not grow with the history.
    span = Span(max(subscription.created, now - LOOK_BACK), now, near)
    known = set(
        conn.execute(
            select(notify_queue.c.event).where(
                notify_queue.c.subscription_id == subscription.id,
                notify_queue.c.at >= span.since,
            )
        ).scalars()
    )
    return [
        {
            "subscription_id": subscription.id,
            "kind": subscription.kind,
            "event": notice.event,
            "at": notice.at,
            "notice": orjson.dumps(notice.facts).decode(),
            "queued_at": now,
            "state": "pending",
            "attempts": 0,
            "next_attempt": now,
        }
        for notice in FINDERS[subscription.kind](conn, viewer, span)
        if notice.event not in known
    ]


def claim_due(database: Database, now: int, limit: int = 100) -> list[Due]:
    """Claim the notices due now (pending, or claimed by a process that did not finish)."""
    query = (
        select(notify_queue, notify_subscriptions.c.user_id)
        .add_columns(
            notify_subscriptions.c.via,
            notify_subscriptions.c.address,
            notify_subscriptions.c.secret,
        )
        .join(notify_subscriptions, notify_subscriptions.c.id == notify_queue.c.subscription_id)
        .where(notify_queue.c.state.in_(["pending", "sending"]), notify_queue.c.next_attempt <= now)
        .order_by(notify_queue.c.id)
        .limit(limit)
    )
    # Read first: a pass that finds nothing due takes no write lock.
    with database.read() as conn:
        candidates = conn.execute(query).all()
    if not candidates:
        return []
    claimed = []
    with database.write() as conn:
        for row in candidates:
            taken = conn.execute(
                update(notify_queue)
                .where(
                    notify_queue.c.id == row.id,
                    notify_queue.c.state == row.state,
                    notify_queue.c.next_attempt == row.next_attempt,
                )
                .values(state="sending", next_attempt=now + LEASE)
            ).rowcount
            if taken:
                claimed.append(_due(row))
    return claimed


def _due(row: Any) -> Due:
    return Due(
        row.id,
        row.kind,
        row.at,
        orjson.loads(row.notice),
        row.attempts,
        row.user_id,
        row.via,
        row.address,
        row.secret,
    )


def settle(database: Database, due: Due, now: int, state: Literal["delivered", "dropped"]) -> None:
    """Record that a notice was delivered, or dropped (its recipient may no longer be told)."""
    values: dict[str, Any] = {"state": state}
    if state == "delivered":
        values.update(attempts=due.attempts + 1, delivered_at=now, last_error="")
    with database.write() as conn:
        conn.execute(
            update(notify_queue)
            .where(notify_queue.c.id == due.id, notify_queue.c.state == "sending")
            .values(**values)
        )


def retry_later(database: Database, due: Due, now: int, wait: int | None, error: str) -> None:
    """Put a failed notice back for another try after ``wait``, or give it up (None)."""
    values: dict[str, Any] = {"attempts": due.attempts + 1, "last_error": error[:500]}
    if wait is None:
        values["state"] = "failed"
    else:
        values.update(state="pending", next_attempt=now + wait)
    with database.write() as conn:
        conn.execute(
            update(notify_queue)
            .where(notify_queue.c.id == due.id, notify_queue.c.state == "sending")
            .values(**values)
        )


def counts_by_state(conn: Connection, subscription_id: int) -> dict[str, int]:
    """Return how many notices of a subscription are in each state."""
    rows = conn.execute(
        select(notify_queue.c.state, func.count())
        .where(notify_queue.c.subscription_id == subscription_id)
        .group_by(notify_queue.c.state)
    )
    return {str(state): int(count) for state, count in rows}


def drop_notices(conn: Connection, subscription_id: int) -> int:
    """Delete a subscription's notices (its unsubscription); return how many were waiting."""
    waiting = counts_by_state(conn, subscription_id)
    conn.execute(delete(notify_queue).where(notify_queue.c.subscription_id == subscription_id))
    return waiting.get("pending", 0) + waiting.get("sending", 0)
