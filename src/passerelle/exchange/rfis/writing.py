"""Sending an RFI, and answering or refusing one, each written to the audit log.

Any user but an auditor sends an RFI, to another organisation, about an object they may
see. Any user but an auditor of the organisation asked answers or refuses it while it is
open. An answer's objects must be visible to the answerer and, in the end, to the user
who asked: those the asker cannot see yet are shared into a channel the answerer names
(all or nothing, under the usual posting and handling rules), else the answer is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection, update

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id, stamp
from passerelle.core.limits import MAX_REASON
from passerelle.core.operations import Operation, register
from passerelle.durations import parse_duration
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.exchange.rfis.models import (
    ANSWERED,
    OPEN,
    REFUSED,
    AnswerRfi,
    RefuseRfi,
    RfiDetail,
    SendRfi,
    State,
    Urgency,
)
from passerelle.exchange.rfis.reading import resolve_rfi, rfi_detail
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.latest import latest_visible_bodies, visible_ids
from passerelle.objects.writing import Write
from passerelle.policy.directory import Channel, find_partner, viewer_by_name
from passerelle.policy.posting import posting_refusal
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for, may_read
from passerelle.policy.workflow import require_worker
from passerelle.store.schema import rfi_answers, rfis

MAX_PURPOSE: Final = 4000
MAX_ANSWER_OBJECTS: Final = 500


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
        raise BadInput(
            f"the purpose is too long ({len(purpose)} characters; at most {MAX_PURPOSE})"
        )
    within = _deadline_within(ctx, request.urgency, request.within)
    about = (request.about or "").strip() or None
    now = ctx.now()
    rfi_id = new_id("rfi")
    with ctx.database.write() as conn:
        if request.to.strip() == viewer.org_name:
            raise BadInput("an RFI goes to another organisation, not to your own")
        target = find_partner(conn, viewer.org_id, request.to.strip())
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
        row = resolve_rfi(conn, viewer, rfi_id)
        return rfi_detail(conn, viewer, row, now)


def _open_for_reply(conn: Connection, viewer: Viewer, reference: str, verb: str, done: str) -> Any:
    """Return the RFI the viewer's organisation was asked, while it is open."""
    require_worker(viewer)
    row = resolve_rfi(conn, viewer, reference)
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


def _answer_objects(request: AnswerRfi) -> list[str]:
    """Return the ids the answer names, once each, in order."""
    wanted = list(dict.fromkeys(s.strip() for s in request.objects if s.strip()))
    if not wanted:
        raise BadInput("an answer needs at least one object (--object ID)")
    if len(wanted) > MAX_ANSWER_OBJECTS:
        raise BadInput(f"an answer holds at most {MAX_ANSWER_OBJECTS} objects")
    return wanted


def _share_hidden(
    ctx: Context, write: Write, row: Any, wanted: Sequence[str], channel: Channel | None
) -> list[str]:
    """Share into the channel the answering objects the asker cannot see yet, all or
    nothing; return them (none if the asker sees every one already)."""
    conn, viewer = write.conn, ctx.viewer
    asker = _asker(conn, row)
    asker_sees = visible_ids(conn, asker, wanted)
    hidden = [s for s in wanted if s not in asker_sees]
    if not hidden:
        return []
    if channel is None:
        raise BadInput(
            f"{asker.username} ({row.from_org_name}) cannot see {_quote_ids(hidden)} yet: "
            "name a channel they read to share them in (--channel C)"
        )
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
    audit.record(ctx.database, conn, viewer, "write", hidden, {"channel": channel.title})
    return hidden


def answer_rfi(ctx: Context, request: AnswerRfi) -> RfiDetail:
    """Answer an open RFI of the viewer's organisation with objects; return the RFI.

    Objects the asker cannot see yet are shared into ``channel`` (all or nothing, if the
    viewer may post there and the asker reads it); without a channel the answer is refused
    and names them.
    """
    viewer = ctx.viewer
    wanted = _answer_objects(request)
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
        shared = _share_hidden(ctx, write, row, wanted, channel)
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
        detail = rfi_detail(conn, viewer, resolve_rfi(conn, viewer, row.id), now)
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
        raise BadInput(f"the reason is too long ({len(reason)} characters; at most {MAX_REASON})")
    with ctx.database.write() as conn:
        row = _open_for_reply(conn, viewer, request.rfi_id, "refuse", "refused")
        _close(conn, viewer, row, REFUSED, now, reason)
        audit.record(ctx.database, conn, viewer, "rfi-refuse", [], {"rfi": row.id})
        return rfi_detail(conn, viewer, resolve_rfi(conn, viewer, row.id), now)


SEND = register(Operation("rfi.send", "POST", "/api/rfis", SendRfi, send_rfi))
ANSWER = register(
    Operation("rfi.answer", "POST", "/api/rfis/{rfi_id}/answer", AnswerRfi, answer_rfi)
)
REFUSE = register(
    Operation("rfi.refuse", "POST", "/api/rfis/{rfi_id}/refuse", RefuseRfi, refuse_rfi)
)
