"""Tips: objects shared to partners for action, tracked per receiving organisation from
receipt to outcome, with feedback flowing back to the producer.

Lifecycle of a receipt (one per tip and receiving organisation)::

    received -> acknowledged (an owner) -> investigating -> closed (an outcome)

Closing is allowed from ``acknowledged`` or ``investigating``; every transition records
who and when, and sends its feedback back in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import Connection, and_, or_, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import find_record
from passerelle.durations import format_duration, parse_duration
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.exchange import feedback
from passerelle.exchange.feedback import TipRecord
from passerelle.exchange.watches import (
    WatchNotices,
    inbox_notices,
    watch_subjects,
)
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.latest import bodies_of, latest_stored_versions, latest_visible_versions
from passerelle.policy import workflow
from passerelle.policy.directory import Channel, viewer_by_id
from passerelle.policy.posting import posting_refusal
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for, visible_placement
from passerelle.stix.markings import Tlp
from passerelle.store.schema import (
    channel_members,
    channel_objects,
    channels,
    object_recipients,
    object_refs,
    objects,
    organisations,
    tip_events,
    tip_receipts,
    tips,
    users,
)

State = Literal["received", "acknowledged", "investigating", "closed"]
Outcome = Literal["actioned", "corroborated", "refuted", "no_link_found", "no_longer_relevant"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
STATES: tuple[str, ...] = State.__args__  # type: ignore[attr-defined]

_CLOSURE_LIMIT = 5000


# -- requests and answers -------------------------------------------------------------


class ShareRequest(BaseModel):
    """Share an object (and what it refers to) into a channel as a tip."""

    object_id: str
    channel: str = Field(description="Channel title, alias or collection id")
    recipients: list[str] = Field(
        default_factory=list,
        description="Usernames: their organisations receive the tip (default: every "
        "reading member); for a TLP:RED object they become named recipients",
    )
    ack_within: str | None = Field(default=None, description="Acknowledgement deadline, e.g. 24h")
    outcome_within: str | None = Field(default=None, description="Outcome deadline, e.g. 14d")
    action_requested: str = ""


class TipRef(BaseModel):
    """Names a tip: its id, or a unique prefix of at least 8 characters of it."""

    tip_id: str


class AckBody(BaseModel):
    """Acknowledge a tip, naming who owns it."""

    owner: str | None = Field(default=None, description="Username (default: you)")


class AckRequest(TipRef, AckBody):
    """Acknowledge a tip."""


class CloseBody(BaseModel):
    """Close a tip with an outcome."""

    outcome: Outcome
    arrests: int | None = Field(default=None, ge=0, description="actioned: people arrested")
    seizures: str = Field(default="", description="actioned: what was seized")
    checked: str = Field(default="", description="What was checked (required for no_link_found)")
    note: str = Field(default="", description="Free text for the producer")
    watch: bool = Field(default=True, description="no_link_found: put the tip's subjects on watch")
    no_watch_reason: str = Field(default="", description="Why the subjects are not watched")


class CloseRequest(TipRef, CloseBody):
    """Close a tip."""


class ListRequest(BaseModel):
    """List tips; closed ones only with ``all``."""

    all: bool = False


class NoRequest(BaseModel):
    """No parameters."""


class Event(BaseModel):
    """One transition of a receipt."""

    state: str
    by: str
    at: str
    feedback: list[str] = Field(default_factory=list)


class Receipt(BaseModel):
    """A tip's state in one receiving organisation."""

    organisation: str
    state: str
    received_at: str
    owner: str | None = None
    acknowledged_at: str | None = None
    investigating_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    arrests: int | None = None
    seizures: str = ""
    checked: str = ""
    note: str = ""
    watch_declined: str = ""
    watches: list[str] = Field(default_factory=list)
    ack_overdue: bool = False
    outcome_overdue: bool = False
    history: list[Event] = Field(default_factory=list)


class Tip(BaseModel):
    """A tip as the asking user may see it."""

    id: str
    side: Literal["sent", "received"]
    object_id: str
    object_type: str
    object_name: str
    channel: str
    producer: str
    shared_by: str
    shared_at: str
    ack_deadline: str
    outcome_deadline: str
    action_requested: str
    objects: list[str] = Field(default_factory=list)
    not_shared: list[str] = Field(default_factory=list)
    receipts: list[Receipt] = Field(default_factory=list)


class Inbox(BaseModel):
    """What a user's inbox holds: received tips, and what their watches report."""

    tips: list[Tip]
    watches: WatchNotices


class Overdue(BaseModel):
    """A receipt past one of its deadlines."""

    tip_id: str
    side: Literal["sent", "received"]
    partner: str
    object_name: str
    state: str
    missing: Literal["acknowledgement", "outcome"]
    deadline: str
    late_by: str


# -- reading ---------------------------------------------------------------------------


def _object_summary(conn: Connection, stix_id: str, version: str) -> tuple[str, str]:
    body = conn.execute(
        select(objects.c.body).where(objects.c.stix_id == stix_id, objects.c.version == version)
    ).scalar_one()
    obj = orjson.loads(body)
    name = obj.get("name") or obj.get("abstract") or obj.get("value") or stix_id
    return obj["type"], str(name)


def _tip_query() -> Any:
    return (
        select(
            tips,
            users.c.username.label("sharer"),
            organisations.c.name.label("producer"),
            channels.c.title.label("channel_title"),
        )
        .join(users, users.c.id == tips.c.shared_by)
        .join(organisations, organisations.c.id == tips.c.producer_org_id)
        .join(channels, channels.c.id == tips.c.channel_id)
    )


def _find(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the tip row the viewer may know of, by id or unique prefix; else NotFound."""
    query = _tip_query().where(workflow.tips_known_to(viewer))
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
    found: dict[str, list[Receipt]] = {}
    for row in rows:
        receipt = Receipt(
            organisation=row.org_name,
            state=row.state,
            received_at=stamp(row.received_at) or "",
            owner=row.owner_name,
            acknowledged_at=stamp(row.acknowledged_at),
            investigating_at=stamp(row.investigating_at),
            closed_at=stamp(row.closed_at),
            outcome=row.outcome,
            arrests=row.arrests,
            seizures=row.seizures,
            checked=row.checked,
            note=row.note,
            watch_declined=row.watch_declined,
            ack_overdue=row.state == "received" and now > row.ack_deadline,
            outcome_overdue=row.state != "closed" and now > row.outcome_deadline,
        )
        if history:
            receipt.history = _history(conn, row.tip_id, row.org_id)
            receipt.watches = _watches_of(conn, viewer, row.tip_id, row.org_id)
        found.setdefault(row.tip_id, []).append(receipt)
    return found


def _history(conn: Connection, tip_id: str, org_id: int) -> list[Event]:
    rows = conn.execute(
        select(tip_events, users.c.username)
        .join(users, users.c.id == tip_events.c.user_id)
        .where(tip_events.c.tip_id == tip_id, tip_events.c.org_id == org_id)
        .order_by(tip_events.c.id)
    )
    return [
        Event(
            state=r.state,
            by=r.username,
            at=stamp(r.at) or "",
            feedback=[i for i in r.feedback_ids.split(",") if i],
        )
        for r in rows
    ]


def _watches_of(conn: Connection, viewer: Viewer, tip_id: str, org_id: int) -> list[str]:
    if viewer.org_id != org_id:
        return []
    from passerelle.store.schema import watches

    return list(
        conn.execute(
            select(watches.c.id).where(
                watches.c.source_tip_id == tip_id, workflow.watches_kept_by(viewer)
            )
        ).scalars()
    )


def _views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], now: int, detail: bool = False
) -> list[Tip]:
    receipts = _receipts(conn, viewer, [r.id for r in rows], now, detail)
    views = []
    for row in rows:
        kind, name = _object_summary(conn, row.stix_id, row.version)
        views.append(
            Tip(
                id=row.id,
                side="sent" if row.producer_org_id == viewer.org_id else "received",
                object_id=row.stix_id,
                object_type=kind,
                object_name=name,
                channel=row.channel_title,
                producer=row.producer,
                shared_by=row.sharer,
                shared_at=stamp(row.shared_at) or "",
                ack_deadline=stamp(row.ack_deadline) or "",
                outcome_deadline=stamp(row.outcome_deadline) or "",
                action_requested=row.action_requested,
                objects=_visible_contents(conn, viewer, row) if detail else [],
                receipts=receipts.get(row.id, []),
            )
        )
    return views


def _visible_contents(conn: Connection, viewer: Viewer, row: Any) -> list[str]:
    ids = _closure(conn, [(row.stix_id, row.version)])
    placement = channel_objects.alias("placement")
    shown = set(
        conn.execute(
            select(placement.c.stix_id)
            .where(
                placement.c.stix_id.in_(ids),
                placement.c.channel_id == row.channel_id,
                visible_placement(viewer, placement),
            )
            .distinct()
        ).scalars()
    )
    return [i for i in ids if i in shown]


def inbox(ctx: Context, request: ListRequest) -> Inbox:
    """Tips received by the viewer's organisation (open ones, or all), and watch notices:
    recent hits and the viewer's watches about to expire."""
    workflow.require_worker(ctx.viewer)
    query = (
        _tip_query()
        .join(tip_receipts, tip_receipts.c.tip_id == tips.c.id)
        .where(workflow.tips_received_by(ctx.viewer))
        .order_by(tips.c.shared_at.desc(), tips.c.id)
    )
    if not request.all:
        query = query.where(tip_receipts.c.state != "closed")
    now = ctx.now()
    with ctx.database.read() as conn:
        found = _views(conn, ctx.viewer, conn.execute(query).all(), now)
        notices = inbox_notices(conn, ctx.viewer, now, warning=ctx.settings.watch_warning)
    return Inbox(tips=found, watches=notices)


def sent(ctx: Context, request: ListRequest) -> list[Tip]:
    """Tips the viewer's organisation shared, with every recipient organisation's state."""
    workflow.require_worker(ctx.viewer)
    query = _tip_query().where(workflow.tips_sent_by(ctx.viewer)).order_by(tips.c.shared_at.desc())
    with ctx.database.read() as conn:
        views = _views(conn, ctx.viewer, conn.execute(query).all(), ctx.now())
    if not request.all:
        views = [v for v in views if any(r.state != "closed" for r in v.receipts)]
    return views


def show(ctx: Context, request: TipRef) -> Tip:
    """One tip with its receipts' history (the producer sees all, a recipient its own)."""
    workflow.require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = _find(conn, ctx.viewer, request.tip_id)
        return _views(conn, ctx.viewer, [row], ctx.now(), detail=True)[0]


def overdue(ctx: Context, request: NoRequest) -> list[Overdue]:
    """Receipts past a deadline, on both sides: what the viewer owes and is owed."""
    workflow.require_worker(ctx.viewer)
    now = ctx.now()
    late = or_(
        and_(tip_receipts.c.state == "received", tips.c.ack_deadline < now),
        and_(tip_receipts.c.state != "closed", tips.c.outcome_deadline < now),
    )
    receiver = organisations.alias("receiver")
    query = (
        _tip_query()
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
        for row in conn.execute(query):
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
                    object_name=_object_summary(conn, row.stix_id, row.version)[1],
                    state=row.receipt_state,
                    missing=missing,
                    deadline=stamp(deadline) or "",
                    late_by=format_duration(now - deadline),
                )
            )
    return found


# -- sharing ---------------------------------------------------------------------------


def _closure(conn: Connection, start: Sequence[tuple[str, str]]) -> list[str]:
    """Ids a tip holds: the object and, transitively, what it refers to (stored or not)."""
    order = [stix_id for stix_id, _ in start]
    seen = set(order)
    frontier = list(start)
    while frontier and len(order) < _CLOSURE_LIMIT:
        refs: list[str] = []
        for chunk in range(0, len(frontier), 200):
            pairs = frontier[chunk : chunk + 200]
            refs += conn.execute(
                select(object_refs.c.ref_id).where(
                    or_(
                        *(
                            and_(object_refs.c.stix_id == i, object_refs.c.version == v)
                            for i, v in pairs
                        )
                    )
                )
            ).scalars()
        new = list(dict.fromkeys(r for r in refs if r not in seen))
        seen.update(new)
        order += new
        frontier = list(latest_stored_versions(conn, new).items())
    return order[:_CLOSURE_LIMIT]


def _reading_members(conn: Connection, channel: Channel) -> dict[int, str]:
    rows = conn.execute(
        select(organisations.c.id, organisations.c.name)
        .join(channel_members, channel_members.c.org_id == organisations.c.id)
        .where(channel_members.c.channel_id == channel.id, channel_members.c.can_read.is_(True))
    )
    return {row.id: row.name for row in rows}


def _named_users(conn: Connection, usernames: Sequence[str]) -> dict[str, tuple[int, str]]:
    rows = conn.execute(
        select(users.c.username, users.c.org_id, users.c.role).where(
            users.c.username.in_(usernames)
        )
    )
    found = {row.username: (row.org_id, row.role) for row in rows}
    missing = [name for name in usernames if name not in found]
    if missing:
        raise BadInput(f"no user {missing[0]!r}")
    return found


def _receivers(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    tip_id_version: tuple[str, str],
    recipients: Sequence[str],
) -> dict[int, str]:
    members = _reading_members(conn, channel)
    members.pop(viewer.org_id, None)
    stix_id, version = tip_id_version
    tlp = conn.execute(
        select(channel_objects.c.tlp).where(
            channel_objects.c.stix_id == stix_id,
            channel_objects.c.version == version,
            channel_objects.c.channel_id == channel.id,
        )
    ).scalar_one()
    named = list(recipients)
    if tlp == int(Tlp.RED):
        named = list(
            conn.execute(
                select(object_recipients.c.username).where(
                    object_recipients.c.stix_id == stix_id,
                    object_recipients.c.version == version,
                )
            ).scalars()
        )
    if not named:
        return members
    chosen: dict[int, str] = {}
    for username, (org_id, _role) in _named_users(conn, named).items():
        if org_id in members:
            chosen[org_id] = members[org_id]
        elif org_id != viewer.org_id and username in recipients:
            raise BadInput(f"{username!r} does not read channel {channel.title!r}")
    return chosen


def _probe(org_id: int, org_name: str, username: str) -> Viewer:
    """A stand-in reader of an organisation, to check what its people will see."""
    return Viewer(-1, username, org_id, org_name, Role.ANALYST)


def _check_receivable(
    conn: Connection, tip: TipRecord, receivers: dict[int, str], recipients: Sequence[str]
) -> None:
    named = list(
        conn.execute(
            select(object_recipients.c.username).where(
                object_recipients.c.stix_id == tip.stix_id,
                object_recipients.c.version == tip.version,
            )
        ).scalars()
    )
    by_org: dict[int, str] = {}
    candidates = list(dict.fromkeys([*recipients, *named]))
    if candidates:
        for username, (org_id, _role) in _named_users(conn, candidates).items():
            by_org.setdefault(org_id, username)
    placement = channel_objects.alias("placement")
    blind = []
    for org_id, name in receivers.items():
        probe = _probe(org_id, name, by_org.get(org_id, ""))
        seen = conn.execute(
            select(placement.c.stix_id).where(
                placement.c.stix_id == tip.stix_id,
                placement.c.channel_id == tip.channel_id,
                visible_placement(probe, placement),
            )
        ).first()
        if seen is None:
            blind.append(name)
    if blind:
        raise Forbidden(
            f"{', '.join(blind)} could not read this tip in the channel (it refers to objects "
            "they may not see, or its TLP:RED recipients are not theirs); nothing was shared"
        )


def _add_red_recipients(
    conn: Connection, viewer: Viewer, versions: dict[str, str], recipients: Sequence[str]
) -> None:
    """Name further recipients of the shared TLP:RED versions the viewer's organisation made."""
    if not recipients:
        return
    for stix_id, version in versions.items():
        row = conn.execute(
            select(objects.c.tlp, objects.c.producer_org_id).where(
                objects.c.stix_id == stix_id, objects.c.version == version
            )
        ).one()
        if row.tlp != int(Tlp.RED):
            continue
        if row.producer_org_id != viewer.org_id:
            raise Forbidden(
                f"{stix_id}: only its producer may name further recipients of a TLP:RED object"
            )
        known = set(
            conn.execute(
                select(object_recipients.c.username).where(
                    object_recipients.c.stix_id == stix_id, object_recipients.c.version == version
                )
            ).scalars()
        )
        for username in recipients:
            if username not in known:
                conn.execute(
                    object_recipients.insert().values(
                        stix_id=stix_id, version=version, username=username
                    )
                )


def share(ctx: Context, request: ShareRequest) -> Tip:
    """Share an object and everything it refers to into a channel as a tip, or nothing."""
    viewer, now = ctx.viewer, ctx.now()
    ack_within = parse_duration(request.ack_within) if request.ack_within else None
    outcome_within = parse_duration(request.outcome_within) if request.outcome_within else None
    ack_within = ack_within or ctx.settings.ack_within
    outcome_within = outcome_within or ctx.settings.outcome_within
    if ack_within > outcome_within:
        raise BadInput("the acknowledgement deadline must not come after the outcome deadline")
    recipients = list(dict.fromkeys(r.strip() for r in request.recipients if r.strip()))
    with ctx.database.read() as conn:
        channel = channel_for(conn, viewer, request.channel)
    with ctx.writing([channel.id]) as write:
        conn = write.conn
        refused = posting_refusal(conn, viewer, channel.id, channel.title)
        if refused:
            raise Forbidden(refused)
        start = latest_visible_versions(conn, viewer, [request.object_id])
        if not start:
            raise NotFound(f"no object {request.object_id!r}")
        ids = _closure(conn, list(start.items()))
        versions = latest_visible_versions(conn, viewer, ids)
        not_shared = [i for i in ids if i not in versions]
        _add_red_recipients(conn, viewer, versions, recipients)
        bodies = bodies_of(conn, versions)
        store_all_or_nothing(write, viewer, channel, [bodies[i] for i in versions], recipients)
        record = TipRecord(
            new_id("tip"),
            request.object_id,
            versions[request.object_id],
            channel.id,
            viewer.org_id,
            viewer.user_id,
            viewer.username,
            now,
            now + ack_within,
            now + outcome_within,
            request.action_requested.strip(),
        )
        receivers = _receivers(conn, viewer, channel, (record.stix_id, record.version), recipients)
        if not receivers:
            raise BadInput(
                f"no other organisation reads channel {channel.title!r}: "
                "nobody would receive this tip"
            )
        _check_receivable(conn, record, receivers, recipients)
        conn.execute(
            tips.insert().values(
                id=record.id,
                stix_id=record.stix_id,
                version=record.version,
                channel_id=record.channel_id,
                producer_org_id=record.producer_org_id,
                shared_by=record.shared_by,
                shared_at=record.shared_at,
                ack_deadline=record.ack_deadline,
                outcome_deadline=record.outcome_deadline,
                action_requested=record.action_requested,
            )
        )
        for org_id, org_name in sorted(receivers.items(), key=lambda item: item[1]):
            conn.execute(
                tip_receipts.insert().values(
                    tip_id=record.id, org_id=org_id, state="received", received_at=now
                )
            )
            author = feedback.author_for(conn, org_id, viewer)
            marking = feedback.feedback_marking(conn, record, org_id)
            detail = _detail(record, org_name, "received", now)
            receipt = feedback.note(
                marking,
                [record.stix_id],
                f"Receipt: {org_name} received the tip",
                f"{org_name} received this tip on {stamp(now)}.",
                detail,
                now,
            )
            posted = feedback.post(write, author, record, [receipt])
            _event(conn, record.id, org_id, "received", viewer.user_id, now, posted)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "share",
            list(versions),
            {"channel": channel.title, "tip": record.id, "to": sorted(receivers.values())},
        )
        view = _views(
            conn,
            viewer,
            [conn.execute(_tip_query().where(tips.c.id == record.id)).one()],
            now,
            detail=True,
        )[0]
    view.objects = list(versions)
    view.not_shared = not_shared
    return view


def _detail(record: TipRecord, org_name: str, state: str, now: int, **extra: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "tip": record.id,
        "kind": "tip-state",
        "organisation": org_name,
        "state": state,
        "at": stamp(now),
    }
    detail.update({k: v for k, v in extra.items() if v not in (None, "")})
    return detail


def _event(
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


# -- the receiving side's transitions ----------------------------------------------------


def _receipt_for_update(conn: Connection, ctx: Context, reference: str) -> tuple[TipRecord, Any]:
    workflow.require_worker(ctx.viewer)
    row = _find(conn, ctx.viewer, reference)
    receipt = conn.execute(
        select(tip_receipts).where(
            tip_receipts.c.tip_id == row.id, tip_receipts.c.org_id == ctx.viewer.org_id
        )
    ).first()
    if receipt is None:
        raise Forbidden("only a receiving organisation acts on a tip; yours shared this one")
    return feedback.tip_record(row), receipt


def _require_state(receipt: Any, allowed: Sequence[str], action: str) -> None:
    if receipt.state not in allowed:
        raise Conflict(
            f"cannot {action} a tip that is {receipt.state}: it must be {' or '.join(allowed)}"
        )


def _owner(conn: Connection, viewer: Viewer, username: str | None) -> tuple[int, str]:
    if not username or username == viewer.username:
        return viewer.user_id, viewer.username
    row = conn.execute(
        select(users.c.id, users.c.role).where(
            users.c.username == username, users.c.org_id == viewer.org_id
        )
    ).first()
    if row is None or row.role == Role.AUDITOR.value:
        raise BadInput(f"no user {username!r} in your organisation who could own a tip")
    return row.id, username


def _transition(
    ctx: Context,
    reference: str,
    allowed: Sequence[str],
    action: str,
    target: str,
    make: Any,
) -> Tip:
    now = ctx.now()
    with ctx.database.read() as conn:
        record, _ = _receipt_for_update(conn, ctx, reference)
    with ctx.writing([record.channel_id]) as write:
        conn = write.conn
        record, receipt = _receipt_for_update(conn, ctx, reference)
        _require_state(receipt, allowed, action)
        values, items, audit_detail = make(conn, record, receipt, now)
        conn.execute(
            tip_receipts.update()
            .where(tip_receipts.c.tip_id == record.id, tip_receipts.c.org_id == ctx.viewer.org_id)
            .values(state=target, **values)
        )
        posted = feedback.post(write, ctx.viewer, record, items)
        _event(conn, record.id, ctx.viewer.org_id, target, ctx.viewer.user_id, now, posted)
        audit.record(
            ctx.database,
            conn,
            ctx.viewer,
            f"tip-{action}",
            [record.stix_id],
            {"tip": record.id, **audit_detail},
        )
        row = conn.execute(_tip_query().where(tips.c.id == record.id)).one()
        return _views(conn, ctx.viewer, [row], now, detail=True)[0]


def acknowledge(ctx: Context, request: AckRequest) -> Tip:
    """Acknowledge a received tip and name its owner; the producer gets a Note."""

    def make(conn: Connection, record: TipRecord, _receipt: Any, now: int) -> Any:
        owner_id, owner_name = _owner(conn, ctx.viewer, request.owner)
        marking = feedback.feedback_marking(conn, record, ctx.viewer.org_id)
        org = ctx.viewer.org_name
        item = feedback.note(
            marking,
            [record.stix_id],
            f"Acknowledged: {org} is on it",
            f"{org} acknowledged this tip on {stamp(now)}; its owner is {owner_name}.",
            _detail(record, org, "acknowledged", now, owner=owner_name),
            now,
        )
        return {"owner_id": owner_id, "acknowledged_at": now}, [item], {"owner": owner_name}

    return _transition(ctx, request.tip_id, ["received"], "acknowledge", "acknowledged", make)


def investigate(ctx: Context, request: TipRef) -> Tip:
    """Start investigating an acknowledged tip; the producer gets a Note."""

    def make(conn: Connection, record: TipRecord, _receipt: Any, now: int) -> Any:
        marking = feedback.feedback_marking(conn, record, ctx.viewer.org_id)
        org = ctx.viewer.org_name
        item = feedback.note(
            marking,
            [record.stix_id],
            f"Investigating: {org}",
            f"{org} started investigating this tip on {stamp(now)}.",
            _detail(record, org, "investigating", now),
            now,
        )
        return {"investigating_at": now}, [item], {}

    return _transition(ctx, request.tip_id, ["acknowledged"], "investigate", "investigating", make)


def _check_outcome(request: CloseRequest) -> None:
    if request.outcome != "actioned" and (request.arrests is not None or request.seizures.strip()):
        raise BadInput("arrests and seizures belong to the 'actioned' outcome")
    if request.outcome == "actioned" and not (
        request.arrests or request.seizures.strip() or request.note.strip()
    ):
        raise BadInput("an 'actioned' outcome says what was done: --arrests, --seizures or --note")
    if request.outcome == "no_link_found" and not request.checked.strip():
        raise BadInput("a 'no_link_found' outcome must say what was checked (--checked)")
    if (
        request.outcome == "no_link_found"
        and not request.watch
        and not request.no_watch_reason.strip()
    ):
        raise BadInput(
            "closing with no_link_found puts the tip's subjects on watch; "
            "to leave them unwatched, give a reason (--no-watch REASON)"
        )


def _outcome_text(org: str, request: CloseRequest) -> str:
    parts = [f"{org} closed this tip: {request.outcome.replace('_', ' ')}."]
    if request.arrests is not None:
        parts.append(f"Arrests: {request.arrests}.")
    if request.seizures.strip():
        parts.append(f"Seized: {request.seizures.strip()}.")
    if request.checked.strip():
        parts.append(f"Checked: {request.checked.strip()}.")
    if request.note.strip():
        parts.append(request.note.strip())
    return " ".join(parts)


def close(ctx: Context, request: CloseRequest) -> Tip:
    """Close a tip with an outcome: an Opinion and a Note (and Sightings) go back."""
    _check_outcome(request)

    def make(conn: Connection, record: TipRecord, receipt: Any, now: int) -> Any:
        org = ctx.viewer.org_name
        marking = feedback.feedback_marking(conn, record, ctx.viewer.org_id)
        text = _outcome_text(org, request)
        structured = {
            "outcome": request.outcome,
            "arrests": request.arrests,
            "seizures": request.seizures.strip(),
            "checked": request.checked.strip(),
            "note": request.note.strip(),
        }
        detail = _detail(record, org, "closed", now, **structured)
        items = [
            feedback.note(
                marking, [record.stix_id], f"Outcome: {request.outcome}", text, detail, now
            ),
            feedback.opinion(marking, record, request.outcome, text, detail, now),
        ]
        contents = _contents(conn, ctx.viewer, record)
        if request.outcome == "actioned":
            threats = [i for i, kind in contents if kind in feedback.THREAT_TYPES]
            if not threats and record.stix_id.split("--")[0] not in ("relationship", "sighting"):
                threats = [record.stix_id]
            items += [feedback.sighting(marking, t, text, detail, now) for t in threats[:100]]
        values: dict[str, Any] = {"closed_at": now, "outcome": request.outcome, **structured}
        values["watch_declined"] = "" if request.watch else request.no_watch_reason.strip()
        audit_detail: dict[str, Any] = {"outcome": request.outcome}
        if request.outcome == "no_link_found" and request.watch:
            owner = (
                ctx.viewer
                if receipt.owner_id in (None, ctx.viewer.user_id)
                else viewer_by_id(conn, receipt.owner_id)
            )
            made = watch_subjects(
                conn,
                owner=owner,
                created_by=ctx.viewer,
                subject_ids=[i for i, _kind in contents],
                source_tip_id=record.id,
                until=None,
                now=now,
                rules=ctx.keys,
            )
            audit_detail["watches"] = made
        return values, items, audit_detail

    return _transition(
        ctx, request.tip_id, ["acknowledged", "investigating"], "close", "closed", make
    )


def _contents(conn: Connection, viewer: Viewer, record: TipRecord) -> list[tuple[str, str]]:
    ids = _closure(conn, [(record.stix_id, record.version)])
    visible = latest_visible_versions(conn, viewer, ids)
    return [(i, i.split("--")[0]) for i in ids if i in visible]


# -- operations ------------------------------------------------------------------------

SHARE = register(Operation("tips.share", "POST", "/api/tips", ShareRequest, share))
INBOX = register(Operation("tips.inbox", "GET", "/api/tips/inbox", ListRequest, inbox))
SENT = register(Operation("tips.sent", "GET", "/api/tips/sent", ListRequest, sent))
OVERDUE = register(Operation("tips.overdue", "GET", "/api/tips/overdue", NoRequest, overdue))
SHOW = register(Operation("tips.show", "GET", "/api/tips/{tip_id}", TipRef, show))
ACK = register(Operation("tips.ack", "POST", "/api/tips/{tip_id}/ack", AckRequest, acknowledge))
INVESTIGATE = register(
    Operation("tips.investigate", "POST", "/api/tips/{tip_id}/investigate", TipRef, investigate)
)
CLOSE = register(Operation("tips.close", "POST", "/api/tips/{tip_id}/close", CloseRequest, close))
