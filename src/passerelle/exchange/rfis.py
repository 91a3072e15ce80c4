"""Requests for information (RFIs): one organisation asks another, which answers with
objects or refuses with a reason, before a deadline.

Who may do what:

- send: any user but an auditor (usually a liaison officer), to another organisation;
  ``about`` must name an object the sender may see. The deadline is 8 hours (urgent) or
  7 days (normal) from now unless the node's settings or the request's ``within`` say
  otherwise.
- answer, refuse: any user but an auditor of the asked organisation, while the RFI is
  open. An answer's objects must be visible to the answerer and, in the end, to the user
  who asked; those the asker cannot see yet are shared into a channel the answerer names
  (all or nothing, under the usual posting and handling rules), else the answer is
  refused and says which objects the asker cannot see.
- list, show: users of the asking and of the asked organisation. Nobody else learns that
  an RFI exists: an RFI of other organisations answers exactly like an id that does not
  exist, and auditors, who take no part in the workflow, see none.

Every read goes through :func:`passerelle.policy.workflow.rfis_known_to`; every send,
answer and refusal is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, and_, case, func, select, update

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import find_record, unknown
from passerelle.durations import MINUTE, format_duration, parse_duration
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.latest import latest_visible_bodies, visible_ids
from passerelle.policy.directory import find_organisation, viewer_by_name
from passerelle.policy.posting import posting_refusal
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for, may_read
from passerelle.policy.workflow import require_worker, rfis_known_to
from passerelle.store.schema import (
    organisations,
    rfi_answers,
    rfis,
    users,
)

Urgency = Literal["urgent", "normal"]
Direction = Literal["sent", "received"]
State = Literal["open", "answered", "refused"]

OPEN: State = "open"
ANSWERED: State = "answered"
REFUSED: State = "refused"

MAX_PURPOSE = 4000
MAX_REASON = 4000
MAX_ANSWER_OBJECTS = 500


# Requests -------------------------------------------------------------------------------


class SendRfi(BaseModel):
    """Ask another organisation for information."""

    to: str = Field(description="Name of the organisation asked.")
    purpose: str = Field(description="What is asked, and why (required).")
    urgency: Urgency = Field(description="urgent (default deadline 8h) or normal (7d).")
    about: str | None = Field(
        default=None, description="STIX id of an object the request is about (you must see it)."
    )
    within: str | None = Field(
        default=None,
        description="Deadline from now, overriding the urgency's default: 90m, 24h, 14d, 2w.",
    )


class AnswerBody(BaseModel):
    """The objects that answer an RFI, and where to share those the asker cannot see."""

    objects: list[str] = Field(description="STIX ids of the objects that answer (at least one).")
    channel: str | None = Field(
        default=None,
        description=(
            "Channel (collection id, alias or title) into which to share the objects the "
            "asker cannot see yet; all or nothing."
        ),
    )


class AnswerRfi(AnswerBody):
    """Answer an RFI your organisation was asked."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


class RefuseBody(BaseModel):
    """Why an RFI is refused."""

    reason: str = Field(description="Why the RFI is refused (required; the asker reads it).")


class RefuseRfi(RefuseBody):
    """Refuse an RFI your organisation was asked."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


class ListRfis(BaseModel):
    """Which RFIs to list."""

    overdue: bool = Field(default=False, description="Only open RFIs past their deadline.")
    direction: Direction | None = Field(
        default=None, description="Only those your organisation sent, or received."
    )
    state: State | None = Field(default=None, description="Only RFIs in this state.")


class ShowRfi(BaseModel):
    """Which RFI to show."""

    rfi_id: str = Field(description="The RFI: its full id, or 8+ characters of its uuid.")


# Responses ------------------------------------------------------------------------------


class RfiRow(BaseModel):
    """One RFI as the viewer's organisation sees it."""

    id: str
    direction: Direction = Field(description="sent: your organisation asked; received: asked.")
    partner: str = Field(description="The other organisation.")
    urgency: Urgency
    state: State
    created: str
    deadline: str
    closed_at: str | None = None
    overdue: bool = Field(description="Open and past its deadline.")
    time_left: str | None = Field(default=None, description="Open: time until the deadline.")
    late_by: str | None = Field(
        default=None, description="How far past the deadline it is (open) or was closed."
    )


class RfiDetail(RfiRow):
    """Everything about one RFI that the viewer may know."""

    from_org: str
    from_user: str
    to_org: str
    purpose: str
    about: str | None = Field(
        default=None, description="The object it is about, only if you may see it."
    )
    closed_by: str | None = None
    reason: str = Field(default="", description="Why it was refused.")
    answers: list[str] = Field(
        default_factory=list, description="The answering objects that you may see."
    )
    shared: list[str] = Field(
        default_factory=list,
        description="Objects this answer shared into the channel (only in an answer's reply).",
    )


class RfiFigures(BaseModel):
    """RFI counts between the viewer's organisation and one partner, in one direction."""

    partner: str
    direction: Direction
    asked: int = Field(description="RFIs in this direction, whatever their state.")
    open: int
    answered: int
    refused: int
    overdue: int = Field(description="Open and past their deadline now.")
    closed_late: int = Field(description="Answered or refused after their deadline.")


# Reading --------------------------------------------------------------------------------

_from_org = organisations.alias("from_org")
_to_org = organisations.alias("to_org")
_from_user = users.alias("from_user")
_closer = users.alias("closer")


def _select_rfis(viewer: Viewer) -> Select[Any]:
    return (
        select(
            rfis,
            _from_org.c.name.label("from_org_name"),
            _to_org.c.name.label("to_org_name"),
            _from_user.c.username.label("from_username"),
            _closer.c.username.label("closer_username"),
        )
        .join(_from_org, _from_org.c.id == rfis.c.from_org_id)
        .join(_to_org, _to_org.c.id == rfis.c.to_org_id)
        .join(_from_user, _from_user.c.id == rfis.c.from_user_id)
        .outerjoin(_closer, _closer.c.id == rfis.c.closed_by)
        .where(rfis_known_to(viewer))
    )


def _no_rfi(reference: str) -> NotFound:
    return unknown("RFI", reference)


def _resolve(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the row of the RFI the viewer means, by full id or unique uuid prefix.

    An RFI of other organisations is never matched, so it answers like a missing one.
    """
    return find_record(conn, _select_rfis(viewer), rfis.c.id, "rfi", "RFI", reference)


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
        urgency=row.urgency,
        state=row.state,
        created=stamp(row.created) or "",
        deadline=stamp(row.deadline) or "",
        closed_at=stamp(row.closed_at),
        overdue=is_open and now > row.deadline,
        time_left=_span(row.deadline - now) if is_open and now <= row.deadline else None,
        late_by=_span(late) if late > 0 else None,
    )


def _detail(conn: Connection, viewer: Viewer, row: Any, now: int) -> RfiDetail:
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
        purpose=row.purpose,
        about=row.about_id if row.about_id in seen else None,
        closed_by=row.closer_username,
        reason=row.reason,
        answers=[stix_id for stix_id in answer_ids if stix_id in seen],
    )


def show_rfi(ctx: Context, request: ShowRfi) -> RfiDetail:
    """Return one RFI the viewer's organisation asked or was asked."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = _resolve(conn, ctx.viewer, request.rfi_id)
        return _detail(conn, ctx.viewer, row, ctx.now())


def list_rfis(ctx: Context, request: ListRfis) -> list[RfiRow]:
    """List the RFIs of the viewer's organisation: open ones first, soonest due first."""
    require_worker(ctx.viewer)
    viewer, now = ctx.viewer, ctx.now()
    query = _select_rfis(viewer)
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


def rfi_figures(conn: Connection, viewer: Viewer, now: int) -> list[RfiFigures]:
    """Count the viewer's organisation's RFIs per partner and direction (partner figures)."""
    is_open = rfis.c.state == OPEN
    query = (
        select(
            rfis.c.from_org_id,
            rfis.c.to_org_id,
            _from_org.c.name.label("from_org_name"),
            _to_org.c.name.label("to_org_name"),
            func.count().label("asked"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((rfis.c.state == ANSWERED, 1), else_=0)).label("answered"),
            func.sum(case((rfis.c.state == REFUSED, 1), else_=0)).label("refused"),
            func.sum(case((and_(is_open, rfis.c.deadline < now), 1), else_=0)).label("overdue"),
            func.sum(case((rfis.c.closed_at > rfis.c.deadline, 1), else_=0)).label("late"),
        )
        .join(_from_org, _from_org.c.id == rfis.c.from_org_id)
        .join(_to_org, _to_org.c.id == rfis.c.to_org_id)
        .where(rfis_known_to(viewer))
        .group_by(rfis.c.from_org_id, rfis.c.to_org_id, _from_org.c.name, _to_org.c.name)
    )
    figures = []
    for row in conn.execute(query):
        sent = row.from_org_id == viewer.org_id
        figures.append(
            RfiFigures(
                partner=row.to_org_name if sent else row.from_org_name,
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


# Writing --------------------------------------------------------------------------------


def _deadline_within(ctx: Context, urgency: Urgency, within: str | None) -> int:
    if within is not None and within.strip():
        return parse_duration(within)
    settings = ctx.settings
    return settings.rfi_urgent_within if urgency == "urgent" else settings.rfi_normal_within


def send_rfi(ctx: Context, request: SendRfi) -> RfiDetail:
    """Ask another organisation for information; return the RFI as sent.

    Any user but an auditor may ask (usually a liaison officer), for their organisation.
    """
    viewer = ctx.viewer
    require_worker(viewer)
    purpose = request.purpose.strip()
    if not purpose:
        raise BadInput("an RFI needs a purpose: say what you ask and why")
    if len(purpose) > MAX_PURPOSE:
        raise BadInput(f"the purpose is too long ({len(purpose)} characters; at most 4000)")
    within = _deadline_within(ctx, request.urgency, request.within)
    about = (request.about or "").strip() or None
    now = ctx.now()
    rfi_id = new_id("rfi")
    with ctx.database.write() as conn:
        target = find_organisation(conn, request.to.strip())
        if target.id == viewer.org_id:
            raise BadInput("an RFI goes to another organisation, not to your own")
        if about is not None and not visible_ids(conn, viewer, [about]):
            raise NotFound(f"no object {about[:120]!r}")
        conn.execute(
            rfis.insert().values(
                id=rfi_id,
                from_org_id=viewer.org_id,
                from_user_id=viewer.user_id,
                to_org_id=target.id,
                purpose=purpose,
                urgency=request.urgency,
                about_id=about,
                created=now,
                deadline=now + within,
                state=OPEN,
                reason="",
            )
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "rfi-send",
            [about] if about else [],
            {
                "rfi": rfi_id,
                "to": target.name,
                "urgency": request.urgency,
                "deadline": stamp(now + within),
            },
        )
        row = _resolve(conn, viewer, rfi_id)
        return _detail(conn, viewer, row, now)


def _open_for_reply(conn: Connection, viewer: Viewer, reference: str, verb: str, done: str) -> Any:
    """Return the RFI the viewer's organisation was asked, while it is open."""
    require_worker(viewer)
    row = _resolve(conn, viewer, reference)
    if row.to_org_id != viewer.org_id:
        raise Forbidden(f"only {row.to_org_name}, the organisation asked, may {verb} RFI {row.id}")
    if row.state != OPEN:
        raise Conflict(f"RFI {row.id} is already {row.state}; only an open RFI can be {done}")
    return row


def _close(conn: Connection, viewer: Viewer, row: Any, state: State, now: int, reason: str) -> None:
    done = conn.execute(
        update(rfis)
        .where(rfis.c.id == row.id, rfis.c.state == OPEN)
        .values(state=state, closed_at=now, closed_by=viewer.user_id, reason=reason)
    )
    if done.rowcount != 1:
        raise Conflict(f"RFI {row.id} was closed meanwhile; show it to see how")


def _asker(conn: Connection, row: Any) -> Viewer:
    return viewer_by_name(conn, row.from_username)


def _quote_ids(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:10])
    return shown + (f" (and {len(ids) - 10} more)" if len(ids) > 10 else "")


def answer_rfi(ctx: Context, request: AnswerRfi) -> RfiDetail:
    """Answer an open RFI of the viewer's organisation with objects; return the RFI.

    Objects the asker cannot see yet are shared into ``channel`` (all or nothing, if the
    viewer may post there and the asker reads it); without a channel the answer is refused
    and names them.
    """
    viewer = ctx.viewer
    wanted = list(dict.fromkeys(s.strip() for s in request.objects if s.strip()))
    if not wanted:
        raise BadInput("an answer needs at least one object (--object ID)")
    if len(wanted) > MAX_ANSWER_OBJECTS:
        raise BadInput(f"an answer holds at most {MAX_ANSWER_OBJECTS} objects")
    channel_ref = (request.channel or "").strip()
    now = ctx.now()
    with ctx.database.read() as conn:
        # Resolve first so that the channel's write lock can be taken before the checks.
        row = _open_for_reply(conn, viewer, request.rfi_id, "answer", "answered")
        channel = channel_for(conn, viewer, channel_ref) if channel_ref else None
    with ctx.writing([channel.id] if channel else []) as write:
        conn = write.conn
        row = _open_for_reply(conn, viewer, row.id, "answer", "answered")
        seen = visible_ids(conn, viewer, wanted)
        unseen = [s for s in wanted if s not in seen]
        if unseen:
            raise NotFound(f"no object {_quote_ids(unseen)}")
        asker = _asker(conn, row)
        asker_sees = visible_ids(conn, asker, wanted)
        hidden = [s for s in wanted if s not in asker_sees]
        shared: list[str] = []
        if hidden and channel is None:
            raise BadInput(
                f"{asker.username} ({row.from_org_name}) cannot see {_quote_ids(hidden)} yet: "
                "name a channel they read to share them in (--channel C)"
            )
        if hidden and channel is not None:
            refusal = posting_refusal(conn, viewer, channel.id, channel.title)
            if refusal:
                raise Forbidden(refusal)
            if not may_read(conn, asker, channel.id):
                raise BadInput(
                    f"channel {channel.title!r} does not reach {asker.username} "
                    f"({row.from_org_name}): choose a channel their organisation reads"
                )
            bodies = latest_visible_bodies(conn, viewer, hidden)
            store_all_or_nothing(write, viewer, channel, [bodies[i] for i in hidden])
            now_seen = visible_ids(conn, asker, hidden)
            still = [s for s in hidden if s not in now_seen]
            if still:
                raise BadInput(
                    f"nothing was shared: {_quote_ids(still)} would stay hidden from "
                    f"{asker.username} in {channel.title!r} (TLP:RED for others, or "
                    "referring to objects they cannot see: share those too)"
                )
            shared = hidden
            audit.record(ctx.database, conn, viewer, "write", shared, {"channel": channel.title})
        _close(conn, viewer, row, ANSWERED, now, "")
        conn.execute(rfi_answers.insert(), [{"rfi_id": row.id, "stix_id": s} for s in wanted])
        audit.record(
            ctx.database,
            conn,
            viewer,
            "rfi-answer",
            wanted,
            {"rfi": row.id, "channel": channel.title if channel and shared else None},
        )
        detail = _detail(conn, viewer, _resolve(conn, viewer, row.id), now)
    detail.shared = shared
    return detail


def refuse_rfi(ctx: Context, request: RefuseRfi) -> RfiDetail:
    """Refuse an open RFI of the viewer's organisation, with a reason the asker reads."""
    viewer = ctx.viewer
    reason = request.reason.strip()
    now = ctx.now()
    if not reason:
        raise BadInput("a refusal needs a reason (--reason TEXT): the asker reads it")
    if len(reason) > MAX_REASON:
        raise BadInput(f"the reason is too long ({len(reason)} characters; at most 4000)")
    with ctx.database.write() as conn:
        row = _open_for_reply(conn, viewer, request.rfi_id, "refuse", "refused")
        _close(conn, viewer, row, REFUSED, now, reason)
        audit.record(ctx.database, conn, viewer, "rfi-refuse", [], {"rfi": row.id})
        return _detail(conn, viewer, _resolve(conn, viewer, row.id), now)


# Operations -----------------------------------------------------------------------------

SEND = register(Operation("rfi.send", "POST", "/api/rfis", SendRfi, send_rfi))
LIST = register(Operation("rfi.list", "GET", "/api/rfis", ListRfis, list_rfis))
SHOW = register(Operation("rfi.show", "GET", "/api/rfis/{rfi_id}", ShowRfi, show_rfi))
ANSWER = register(
    Operation("rfi.answer", "POST", "/api/rfis/{rfi_id}/answer", AnswerRfi, answer_rfi)
)
REFUSE = register(
    Operation("rfi.refuse", "POST", "/api/rfis/{rfi_id}/refuse", RefuseRfi, refuse_rfi)
)
