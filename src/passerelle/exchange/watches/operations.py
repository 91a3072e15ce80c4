"""The watch operations (add, list, show, end, extend, hits), as the REST API and the
command line reach them.

A watch and its hits belong to the organisation that keeps it; auditors take no part.
Ending a watch needs a reason; every add, extension and end goes to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, and_, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, parse_day, stamp
from passerelle.core.limits import MAX_REASON
from passerelle.core.operations import Operation, register
from passerelle.errors import BadInput, Conflict, NotFound
from passerelle.exchange.watches.hits import record_look_back
from passerelle.exchange.watches.keys import label_of, subject_keys, watchable
from passerelle.exchange.watches.models import (
    AddWatch,
    EndWatch,
    ExtendWatch,
    Hit,
    Kind,
    ListHits,
    ListWatches,
    Watch,
    WatchRef,
)
from passerelle.exchange.watches.reading import (
    hit_views,
    hits_query,
    resolve_watch,
    running,
    select_watches,
    watch_view,
    watch_views,
)
from passerelle.exchange.watches.writing import DEFAULT_TERM, create_watch
from passerelle.keys.names import MAX_NAME, typed_name_keys
from passerelle.keys.observables import observable_key
from passerelle.keys.rules import KeyRules
from passerelle.objects.latest import latest_visible_bodies
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.regions import region_of
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.store.schema import watch_hits, watch_keys, watches


def _until(text: str | None, now: int) -> int:
    if text is None or not text.strip():
        return now + DEFAULT_TERM
    until = parse_day(text)
    if until <= now:
        raise BadInput(f"--until {text.strip()[:40]!r} is not in the future")
    return until


def _owner(conn: Connection, viewer: Viewer, username: str | None) -> Viewer:
    if not username or username.strip() == viewer.username:
        return viewer
    try:
        owner = viewer_by_name(conn, username.strip())
    except NotFound:
        owner = None
    if owner is None or owner.org_id != viewer.org_id:
        raise NotFound(f"no user {username.strip()[:80]!r} in your organisation")
    if owner.role is Role.AUDITOR:
        raise BadInput(f"{owner.username} is an auditor: auditors do not keep watches")
    return owner


def _what_to_watch(request: AddWatch) -> tuple[Kind, str]:
    """Return the one kind of thing the request names, and its value."""
    given = {
        kind: value.strip()
        for kind, value in (
            ("subject", request.subject),
            ("name", request.name),
            ("observable", request.observable),
        )
        if value is not None and value.strip()
    }
    if len(given) != 1:
        raise BadInput(
            "say what to watch: exactly one of --subject OBJECT_ID, --name NAME "
            "or --observable VALUE"
        )
    ((kind, value),) = given.items()
    return cast(Kind, kind), value


@dataclass(frozen=True)
class _Target:
    """What a new watch follows: its keys, its label, and how to find a running twin."""

    keys: set[str]
    label: str
    same: Any
    subject_id: str | None = None


def _target(
    conn: Connection, viewer: Viewer, owner: Viewer, kind: Kind, value: str, rules: KeyRules
) -> _Target:
    if kind == "subject":
        subject_id, keys, label = _subject(conn, viewer, owner, value, rules)
        return _Target(keys, label, watches.c.subject_id == subject_id, subject_id)
    if kind == "name":
        if len(value) > MAX_NAME:
            raise BadInput(f"the name is too long ({len(value)} characters; at most {MAX_NAME})")
        keys = typed_name_keys([value], rules.names)
        if not keys:
            raise BadInput(f"{value[:60]!r} holds no letter or digit to match on")
        return _Target(keys, value, and_(watches.c.kind == "name", watches.c.label == value))
    # A number typed without its international prefix is read as the user's service writes it.
    key = observable_key(value, region_of(conn, viewer.org_id, rules.phone_region))
    return _Target({key}, key, and_(watches.c.kind == "observable", watches.c.label == key))


def _subject(
    conn: Connection, viewer: Viewer, owner: Viewer, subject_id: str, rules: KeyRules
) -> tuple[str, set[str], str]:
    body = latest_visible_bodies(conn, viewer, [subject_id]).get(subject_id)
    if body is None:
        raise NotFound(f"no object {subject_id[:120]!r}")
    if not watchable(body, rules.phone_region):
        raise BadInput(
            f"{subject_id} is a {body.get('type')}: a watch follows a person or group "
            "(identity, threat-actor, intrusion-set) or an observable (an SCO, or an "
            "indicator of a phone number, e-mail address, URL or handle)"
        )
    if (
        owner.user_id != viewer.user_id
        and latest_visible_bodies(conn, owner, [subject_id]).get(subject_id) is None
    ):
        raise BadInput(f"{owner.username} may not see {subject_id}: choose another owner")
    return subject_id, subject_keys(body, rules), label_of(body)


def add_watch(ctx: Context, request: AddWatch) -> Watch:
    """Put a subject, a name or an observable on watch for a user of your organisation."""
    viewer = ctx.viewer
    require_worker(viewer)
    kind, value = _what_to_watch(request)
    now = ctx.now()
    until = _until(request.until, now)
    with ctx.database.write() as conn:
        owner = _owner(conn, viewer, request.owner)
        target = _target(conn, viewer, owner, kind, value, ctx.keys)
        clash = conn.execute(
            select(watches.c.id).where(running(viewer, now), target.same).limit(1)
        ).scalar()
        if clash:
            raise Conflict(f"{target.label[:80]!r} is already on watch ({clash}): extend that one")
        watch_id = create_watch(
            conn,
            owner=owner,
            created_by=viewer,
            kind=kind,
            label=target.label,
            keys=target.keys,
            until=until,
            now=now,
            subject_id=target.subject_id,
        )
        subject_id = target.subject_id
        known = record_look_back(
            ctx.database, conn, watch_id, owner, target.keys, ctx.keys, now, subject_id
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "watch-add",
            [watch_id, *([subject_id] if subject_id else [])],
            {"kind": kind, "owner": owner.username, "until": stamp(until), "known": len(known)},
        )
        return watch_view(conn, viewer, watch_id, now, ctx.settings.watch_warning)


def list_watches(ctx: Context, request: ListWatches) -> list[Watch]:
    """List your organisation's watches, newest first (ended ones only with ``all``)."""
    require_worker(ctx.viewer)
    query = select_watches(ctx.viewer).order_by(watches.c.created.desc(), watches.c.id)
    if not request.all:
        query = query.where(watches.c.ended.is_(None))
    with ctx.database.read() as conn:
        rows = conn.execute(query).all()
        return watch_views(conn, ctx.viewer, rows, ctx.now(), ctx.settings.watch_warning)


def show_watch(ctx: Context, request: WatchRef) -> Watch:
    """Show one watch of your organisation, with its keys."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = resolve_watch(conn, ctx.viewer, request.watch_id)
        return watch_views(conn, ctx.viewer, [row], ctx.now(), ctx.settings.watch_warning)[0]


def end_watch(ctx: Context, request: EndWatch) -> Watch:
    """End a watch of your organisation, saying why; it stops matching at once."""
    viewer = ctx.viewer
    require_worker(viewer)
    reason = request.reason.strip()
    if not reason:
        raise BadInput("ending a watch needs a reason (--reason TEXT)")
    if len(reason) > MAX_REASON:
        raise BadInput(f"the reason is too long ({len(reason)} characters; at most {MAX_REASON})")
    now = ctx.now()
    with ctx.database.write() as conn:
        row = resolve_watch(conn, viewer, request.watch_id)
        if row.ended is not None:
            raise Conflict(f"{row.id} already ended on {stamp(row.ended)}")
        conn.execute(watches.update().where(watches.c.id == row.id).values(ended=now))
        # An ended watch matches nothing: its keys leave the index that ingest consults.
        conn.execute(watch_keys.delete().where(watch_keys.c.watch_id == row.id))
        audit.record(ctx.database, conn, viewer, "watch-end", [row.id], {"reason": reason})
        return watch_view(conn, viewer, row.id, now, ctx.settings.watch_warning)


def extend_watch(ctx: Context, request: ExtendWatch) -> Watch:
    """Move the end of a watch of your organisation (also one that has just expired)."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    if not request.until.strip():
        raise BadInput("say until when: --until YYYY-MM-DD")
    until = _until(request.until, now)
    with ctx.database.write() as conn:
        row = resolve_watch(conn, viewer, request.watch_id)
        if row.ended is not None:
            raise Conflict(f"{row.id} ended on {stamp(row.ended)}: add a new watch instead")
        conn.execute(watches.update().where(watches.c.id == row.id).values(until=until))
        audit.record(
            ctx.database,
            conn,
            viewer,
            "watch-extend",
            [row.id],
            {"from": stamp(row.until), "until": stamp(until)},
        )
        return watch_view(conn, viewer, row.id, now, ctx.settings.watch_warning)


def list_hits(ctx: Context, request: ListHits) -> list[Hit]:
    """List your organisation's watch hits on objects you may see, newest first."""
    require_worker(ctx.viewer)
    query = hits_query(ctx.viewer)
    with ctx.database.read() as conn:
        if request.watch_id is not None:
            row = resolve_watch(conn, ctx.viewer, request.watch_id)
            query = query.where(watch_hits.c.watch_id == row.id)
        return hit_views(conn, ctx.viewer, conn.execute(query.limit(request.limit)))


ADD = register(Operation("watch.add", "POST", "/api/watches", AddWatch, add_watch))
LIST = register(Operation("watch.list", "GET", "/api/watches", ListWatches, list_watches))
HITS = register(Operation("watch.hits", "GET", "/api/watch-hits", ListHits, list_hits))
SHOW = register(Operation("watch.show", "GET", "/api/watches/{watch_id}", WatchRef, show_watch))
END = register(Operation("watch.end", "POST", "/api/watches/{watch_id}/end", EndWatch, end_watch))
EXTEND = register(
    Operation("watch.extend", "POST", "/api/watches/{watch_id}/extend", ExtendWatch, extend_watch)
)
