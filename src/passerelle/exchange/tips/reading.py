"""Reading tips and their receipts as the asking user may see them.

The producer sees every receiving organisation's receipt; a recipient sees its own
(:func:`passerelle.policy.workflow.receipts_shown_to`). A tip the user may not know of
answers like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, select

from passerelle.core.context import stamp
from passerelle.core.references import find_record
from passerelle.exchange.tips.contents import channel_contents
from passerelle.exchange.tips.models import Event, Receipt, Recipient, Tip
from passerelle.policy import workflow
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.withholding import withheld_seen
from passerelle.store.chunks import chunked
from passerelle.store.schema import (
    channels,
    objects,
    organisations,
    tip_events,
    tip_receipts,
    tip_recipients,
    tips,
    users,
    watches,
)


def object_summaries(
    conn: Connection, versions: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """Return the type and a readable name of stored object versions, by (id, version),
    read in one statement per chunk of ids."""
    wanted = set(versions)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for chunk in chunked(sorted({stix_id for stix_id, _version in wanted})):
        query = select(objects.c.stix_id, objects.c.version, objects.c.body).where(
            objects.c.stix_id.in_(chunk)
        )
        for row in conn.execute(query):
            if (row.stix_id, row.version) in wanted:
                obj = orjson.loads(row.body)
                name = obj.get("name") or obj.get("abstract") or obj.get("value") or row.stix_id
                found[row.stix_id, row.version] = (obj["type"], str(name))
    return found


def tip_query() -> Any:
    """Select tips with their sharer's username, producer's name and channel's title."""
    return (
        select(
            tips,
            users.c.username.label("sharer"),
            users.c.role.label("sharer_role"),
            organisations.c.name.label("producer"),
            channels.c.title.label("channel_title"),
        )
        .join(users, users.c.id == tips.c.shared_by)
        .join(organisations, organisations.c.id == tips.c.producer_org_id)
        .join(channels, channels.c.id == tips.c.channel_id)
    )


def find_tip(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the tip row the viewer may know of, by id or unique prefix; else NotFound."""
    query = tip_query().where(workflow.tips_known_to(viewer))
    return find_record(conn, query, tips.c.id, "tip", "tip", reference)


def _receipts(
    conn: Connection, viewer: Viewer, tip_ids: Sequence[str], now: int, history: bool
) -> dict[str, list[Receipt]]:
    owner = users.alias("owner")
    rows = conn.execute(
        select(
            tip_receipts,
            organisations.c.name.label("org_name"),
            owner.c.username.label("owner_name"),
            tips.c.ack_deadline,
            tips.c.outcome_deadline,
        )
        .join(tips, tips.c.id == tip_receipts.c.tip_id)
        .join(organisations, organisations.c.id == tip_receipts.c.org_id)
        .outerjoin(owner, owner.c.id == tip_receipts.c.owner_id)
        .where(tip_receipts.c.tip_id.in_(tip_ids), workflow.receipts_shown_to(viewer))
        .order_by(organisations.c.name)
    ).all()
    recipients = _recipients(conn, tip_ids)
    found: dict[str, list[Receipt]] = {}
    made: list[tuple[str, int, Receipt]] = []
    for row in rows:
        receipt = Receipt(
            organisation=row.org_name,
            **_standing(row),
            watch_declined=row.watch_declined,
            ack_overdue=row.state == "received" and now > row.ack_deadline,
            outcome_overdue=row.state != "closed" and now > row.outcome_deadline,
        )
        receipt.recipients = recipients.get((row.tip_id, row.org_id), [])
        found.setdefault(row.tip_id, []).append(receipt)
        made.append((row.tip_id, row.org_id, receipt))
    if history and made:
        _add_history(conn, viewer, made)
    return found


def _recipients(conn: Connection, tip_ids: Sequence[str]) -> dict[tuple[str, int], list[Recipient]]:
    """Each recipient's state, by tip and organisation (shown with a receipt already
    filtered for the viewer)."""
    owner = users.alias("owner")
    rows = conn.execute(
        select(tip_recipients, owner.c.username.label("owner_name"))
        .outerjoin(owner, owner.c.id == tip_recipients.c.owner_id)
        .where(tip_recipients.c.tip_id.in_(tip_ids))
        .order_by(tip_recipients.c.node)
    )
    found: dict[tuple[str, int], list[Recipient]] = {}
    for row in rows:
        found.setdefault((row.tip_id, row.org_id), []).append(
            Recipient(node=row.node or None, **_standing(row))
        )
    return found


def _standing(row: Any) -> dict[str, Any]:
    """Where a receipt or a recipient stands, as both show it (a row of either table)."""
    return {
        "state": row.state,
        "received_at": stamp(row.received_at) or "",
        "owner": row.owner_name,
        "acknowledged_at": stamp(row.acknowledged_at),
        "investigating_at": stamp(row.investigating_at),
        "closed_at": stamp(row.closed_at),
        "outcome": row.outcome,
        "arrests": row.arrests,
        "seizures": row.seizures,
        "checked": row.checked,
        "note": row.note,
    }


def _sharer(row: Any) -> tuple[str, str | None]:
    """Who shared a tip, as shown: a person here; for a tip a peer's node announced, the
    person it named (if any) and the producer, which is always the node's organisation,
    and the node account through which it came."""
    if row.sharer_role != Role.NODE.value:
        return row.sharer, None
    named = f"{row.sharer_name} ({row.producer})" if row.sharer_name else row.producer
    return named, row.sharer


def _add_history(
    conn: Connection, viewer: Viewer, receipts: Sequence[tuple[str, int, Receipt]]
) -> None:
    """Give each receipt (of a tip, of an organisation) its events and, on the viewer's
    own receipts, the watches they started: two statements for all the receipts."""
    tip_ids = sorted({tip_id for tip_id, _org_id, _receipt in receipts})
    events = conn.execute(
        select(tip_events, users.c.username)
        .join(users, users.c.id == tip_events.c.user_id)
        .where(tip_events.c.tip_id.in_(tip_ids))
        .order_by(tip_events.c.id)
    )
    history: dict[tuple[str, int], list[Event]] = {}
    for r in events:
        event = Event(
            state=r.state,
            by=r.username,
            at=stamp(r.at) or "",
            feedback=[i for i in r.feedback_ids.split(",") if i],
        )
        history.setdefault((r.tip_id, r.org_id), []).append(event)
    own = [tip_id for tip_id, org_id, _receipt in receipts if org_id == viewer.org_id]
    kept: dict[str, list[str]] = {}
    if own:
        query = select(watches.c.id, watches.c.source_tip_id).where(
            watches.c.source_tip_id.in_(own), workflow.watches_kept_by(viewer)
        )
        for watch in conn.execute(query):
            kept.setdefault(watch.source_tip_id, []).append(watch.id)
    for tip_id, org_id, receipt in receipts:
        receipt.history = history.get((tip_id, org_id), [])
        receipt.watches = kept.get(tip_id, []) if org_id == viewer.org_id else []


def tip_views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], now: int, detail: bool = False
) -> list[Tip]:
    """Return the views of tip rows (of :func:`tip_query`) for the viewer; ``detail`` adds
    each receipt's history and watches, and the objects the tip holds."""
    receipts = _receipts(conn, viewer, [r.id for r in rows], now, detail)
    withheld = withheld_seen(conn, viewer, [r.stix_id for r in rows])
    summaries = object_summaries(conn, [(r.stix_id, r.version) for r in rows])
    views = []
    for row in rows:
        kind, name = summaries[row.stix_id, row.version]
        if row.stix_id in withheld:
            name = f"(withheld until you acknowledge its H3 restriction: {row.stix_id})"
        views.append(
            Tip(
                id=row.id,
                side="sent" if row.producer_org_id == viewer.org_id else "received",
                object_id=row.stix_id,
                object_type=kind,
                object_name=name,
                channel=row.channel_title,
                producer=row.producer,
                shared_by=_sharer(row)[0],
                shared_via=_sharer(row)[1],
                shared_at=stamp(row.shared_at) or "",
                ack_deadline=stamp(row.ack_deadline) or "",
                outcome_deadline=stamp(row.outcome_deadline) or "",
                action_requested=row.action_requested,
                objects=channel_contents(conn, viewer, row) if detail else [],
                receipts=receipts.get(row.id, []),
            )
        )
    return views


def tip_view(conn: Connection, viewer: Viewer, tip_id: str, now: int) -> Tip:
    """Return one tip in detail, read inside the transaction that just changed it."""
    row = conn.execute(tip_query().where(tips.c.id == tip_id)).one()
    return tip_views(conn, viewer, [row], now, detail=True)[0]
