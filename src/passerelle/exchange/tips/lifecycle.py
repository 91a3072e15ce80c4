"""The receiving side's lifecycle of a tip: one receipt per tip and receiving organisation.

::

    received -> acknowledged (an owner) -> investigating -> closed (an outcome)

The receipt is the organisation's; each place where its people act on the tip (this
node's people, or a peer's node) is a recipient with its own state (:func:`set_recipient`),
and the receipt is the furthest of them. A receipt is ``received`` on arrival
(:func:`receive`); every later step is a row of the transition table below: the action,
the states it leaves, the state it reaches, the receipt column that records when, and its
effect (what else it records and the feedback it sends back,
:mod:`passerelle.exchange.tips.effects`). Closing is allowed from
``acknowledged`` or ``investigating``. Every step records who and when as a tip event,
sends its feedback to the producer in the same transaction, and goes to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.errors import Conflict, Forbidden
from passerelle.exchange import feedback
from passerelle.exchange.feedback import TipRecord
from passerelle.exchange.tips.effects import (
    Effect,
    Step,
    acknowledged,
    check_outcome,
    closed,
    investigating,
    state_detail,
)
from passerelle.exchange.tips.models import AckRequest, CloseRequest, State, Tip, TipRef
from passerelle.exchange.tips.reading import find_tip, tip_view
from passerelle.objects.writing import Write
from passerelle.policy import workflow
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import tip_events, tip_receipts, tip_recipients

Action = Literal["acknowledge", "investigate", "close"]
# The receipt's columns that record when it reached a state.
Stamp = Literal["acknowledged_at", "investigating_at", "closed_at"]
RequestT = TypeVar("RequestT", bound=TipRef)

RECEIVED: Final[State] = "received"


@dataclass(frozen=True)
class Transition(Generic[RequestT]):
    """A row of the lifecycle: an action, the states it leaves, the state it reaches, the
    receipt column that records when, and its effect."""

    action: Action
    sources: tuple[State, ...]
    target: State
    stamp_column: Stamp
    effect: Effect[RequestT]

    def require_source(self, state: str) -> None:
        """Refuse the action on a receipt in a state that it does not leave."""
        if state not in self.sources:
            raise Conflict(
                f"cannot {self.action} a tip that is {state}: "
                f"it must be {' or '.join(self.sources)}"
            )


# The transition table (action, from, to, when, effect): a receipt in none of an action's
# "from" states refuses it, with nothing written.
ACKNOWLEDGING: Final = Transition(
    "acknowledge", ("received",), "acknowledged", "acknowledged_at", acknowledged
)
INVESTIGATING: Final = Transition(
    "investigate", ("acknowledged",), "investigating", "investigating_at", investigating
)
CLOSING: Final = Transition(
    "close", ("acknowledged", "investigating"), "closed", "closed_at", closed
)


def _record_event(
    conn: Connection,
    tip_id: str,
    org_id: int,
    state: str,
    user_id: int,
    now: int,
    posted: Sequence[str],
) -> None:
    conn.execute(
        tip_events.insert().values(
            tip_id=tip_id,
            org_id=org_id,
            state=state,
            user_id=user_id,
            at=now,
            feedback_ids=",".join(posted),
        )
    )


# The recipient of this node's own people (else a peer's node account).
HERE: Final = ""


def set_recipient(
    conn: Connection, tip_id: str, org_id: int, node: str, values: dict[str, Any]
) -> None:
    """Record where one recipient of a tip stands (its first state opens its row)."""
    kept = {name: value for name, value in values.items() if name in tip_recipients.c}
    key = (
        (tip_recipients.c.tip_id == tip_id)
        & (tip_recipients.c.org_id == org_id)
        & (tip_recipients.c.node == node)
    )
    if conn.execute(select(tip_recipients.c.state).where(key)).first() is None:
        # The first state of a recipient opens its row (it carries state and received_at).
        conn.execute(
            tip_recipients.insert().values(tip_id=tip_id, org_id=org_id, node=node, **kept)
        )
    else:
        conn.execute(tip_recipients.update().where(key).values(**kept))


def receive(
    write: Write, sharer: Viewer, record: TipRecord, org_id: int, org_name: str, now: int
) -> None:
    """Start a tip's lifecycle in a receiving organisation: its receipt, and a Note back."""
    conn = write.conn
    conn.execute(
        tip_receipts.insert().values(
            tip_id=record.id, org_id=org_id, state=RECEIVED, received_at=now
        )
    )
    set_recipient(conn, record.id, org_id, HERE, {"state": RECEIVED, "received_at": now})
    author = feedback.author_for(conn, org_id, sharer)
    marking = feedback.feedback_marking(conn, record, org_id)
    receipt = feedback.note(
        marking,
        [record.stix_id],
        f"Receipt: {org_name} received the tip",
        f"{org_name} received this tip on {stamp(now)}.",
        state_detail(record, org_name, RECEIVED, now),
        now,
    )
    posted = feedback.post(write, author, record, [receipt])
    _record_event(conn, record.id, org_id, RECEIVED, sharer.user_id, now, posted)


def _receipt_for_update(conn: Connection, ctx: Context, reference: str) -> tuple[TipRecord, Any]:
    workflow.require_worker(ctx.viewer)
    row = find_tip(conn, ctx.viewer, reference)
    receipt = conn.execute(
        select(tip_receipts).where(
            tip_receipts.c.tip_id == row.id, tip_receipts.c.org_id == ctx.viewer.org_id
        )
    ).first()
    if receipt is None:
        raise Forbidden("only a receiving organisation acts on a tip; yours shared this one")
    return feedback.tip_record(row), receipt


def run(ctx: Context, transition: Transition[RequestT], request: RequestT) -> Tip:
    """Apply a transition to the viewer's organisation's receipt of the requested tip."""
    now, viewer = ctx.now(), ctx.viewer
    # Find the tip's channel first: the write takes that channel's lock before the checks.
    with ctx.database.read() as conn:
        record, _ = _receipt_for_update(conn, ctx, request.tip_id)
    with ctx.writing([record.channel_id]) as write:
        conn = write.conn
        record, receipt = _receipt_for_update(conn, ctx, request.tip_id)
        transition.require_source(receipt.state)
        marking = feedback.feedback_marking(conn, record, viewer.org_id)
        change = transition.effect(
            Step(ctx, conn, record, receipt, marking, transition.target, now), request
        )
        values = {"state": transition.target, transition.stamp_column: now, **change.values}
        conn.execute(
            tip_receipts.update()
            .where(tip_receipts.c.tip_id == record.id, tip_receipts.c.org_id == viewer.org_id)
            .values(**values)
        )
        set_recipient(conn, record.id, viewer.org_id, HERE, values)
        posted = feedback.post(write, viewer, record, change.feedback)
        _record_event(
            conn, record.id, viewer.org_id, transition.target, viewer.user_id, now, posted
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            f"tip-{transition.action}",
            [record.stix_id],
            {"tip": record.id, **change.audit},
        )
        return tip_view(conn, viewer, record.id, now)


def acknowledge(ctx: Context, request: AckRequest) -> Tip:
    """Acknowledge a received tip and name its owner; the producer gets a Note."""
    return run(ctx, ACKNOWLEDGING, request)


def investigate(ctx: Context, request: TipRef) -> Tip:
    """Start investigating an acknowledged tip; the producer gets a Note."""
    return run(ctx, INVESTIGATING, request)


def close(ctx: Context, request: CloseRequest) -> Tip:
    """Close a tip with an outcome: an Opinion and a Note (and Sightings) go back."""
    check_outcome(request)
    return run(ctx, CLOSING, request)


ACK = register(Operation("tips.ack", "POST", "/api/tips/{tip_id}/ack", AckRequest, acknowledge))
INVESTIGATE = register(
    Operation("tips.investigate", "POST", "/api/tips/{tip_id}/investigate", TipRef, investigate)
)
CLOSE = register(Operation("tips.close", "POST", "/api/tips/{tip_id}/close", CloseRequest, close))
