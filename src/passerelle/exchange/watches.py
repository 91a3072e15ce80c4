"""Watches: standing alerts of an organisation on a subject, a name or an observable.

A watch outlives any case. Closing a tip with "no link found" puts the tip's persons,
groups and observables on watch (:func:`watch_subjects`); a user adds one by hand on an
object, a name or an observable. A watch matches through keys (``ref:<id>``, ``name:...``,
``phone:+33...``, ``email:...``, ``url:...``, ``handle:...``; see
:mod:`passerelle.keys.observables` and :mod:`passerelle.keys.names`): when a newly
stored object version carries one of a watch's keys and is new to the watch's owner, a
hit is recorded (:func:`record_hits`, inside the ingest transaction), and a hit of a watch
that came from a partner's tip is then reported to that partner where the rules allow
(:func:`report_pending`, after the commit).

Rules:

- A watch and its hits belong to the organisation that keeps it
  (:func:`passerelle.policy.workflow.watches_kept_by` on every read). A watch of another
  organisation answers exactly like an id that does not exist; auditors take no part.
- A hit is recorded only if the matching version is visible to the watch's owner, and only
  if it is new to them: a version they could already see (the tip's own objects when the
  watch was made, an object shared again into another channel) is not new information.
  Workflow feedback (receipts, outcomes, hit reports: objects carrying Passerelle's
  ``feedback`` extension member) never hits. Hits are listed to a user only while that
  user may still see the matching version.
- A watch never lapses silently: one without ``--until`` runs for
  :data:`DEFAULT_TERM`; its owner is warned ``watch_warning`` (7 days) before it expires
  (:func:`inbox_notices`, ``watch list``), and ``watch extend`` renews it.
- Ending a watch needs a reason (kept in the audit log, with every add and extension).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, cast

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    or_,
    select,
    values,
)

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id, parse_day, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import find_record, unknown
from passerelle.durations import DAY
from passerelle.errors import BadInput, Conflict, NotFound
from passerelle.exchange import feedback
from passerelle.keys import observables
from passerelle.keys.names import NAME_PREFIX, name_keys, names_of, typed_name_keys
from passerelle.keys.observables import (
    make_key,
    object_observable_keys,
    observable_key,
)
from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import Hooks, ObjectsStored, WriteCommitted
from passerelle.objects.latest import latest_visible_bodies
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import object_visible_anywhere, visible_placement
from passerelle.policy.workflow import require_worker, watches_kept_by
from passerelle.settings import ExchangeSettings
from passerelle.stix.markings import carries_feedback
from passerelle.store.chunks import chunked
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects, users, watch_hits, watch_keys, watches

_log = logging.getLogger(__name__)

Kind = Literal["subject", "name", "observable"]
WatchState = Literal["active", "expiring", "expired", "ended"]
ReportState = Literal["none", "pending", "sent", "withheld"]

# How long a watch runs when nobody says: its owner is warned before the end and extends it.
DEFAULT_TERM: Final = 365 * DAY
# How far back the inbox shows hits, and watches that expired without being extended.
RECENT: Final = 14 * DAY
INBOX_HITS: Final = 50
MAX_REASON: Final = 4000
MAX_NAME: Final = 300

REF: Final = "ref"
NAME: Final = NAME_PREFIX.rstrip(":")
KEY_KINDS: Final = frozenset({REF, NAME} | observables.KINDS)
# Persons and groups; observables are SCOs and indicators whose pattern holds one.
PERSON_AND_GROUP_TYPES: Final = frozenset(("identity", "threat-actor", "intrusion-set"))
# References that do not make an object about its target: its author and its markings.
_NOT_ABOUT: Final = frozenset(("created_by_ref", "object_marking_refs"))
MAX_REFS: Final = 1000


# Requests -------------------------------------------------------------------------------


class AddWatch(BaseModel):
    """Watch an object, a name or an observable (exactly one of the three)."""

    subject: str | None = Field(
        default=None,
        description="STIX id of a person, group or observable you may see (identity, "
        "threat-actor, intrusion-set, an SCO, an indicator of a phone/e-mail/URL/handle).",
    )
    name: str | None = Field(default=None, description="A name of a person or group.")
    observable: str | None = Field(
        default=None,
        description="A phone number, e-mail address, URL or handle (@name, t.me/name); "
        "prefix phone:, email:, url: or handle: to say which.",
    )
    owner: str | None = Field(
        default=None, description="Who is told of hits: a user of your organisation (default: you)."
    )
    until: str | None = Field(
        default=None,
        description="Last day of the watch, YYYY-MM-DD or a timestamp (default: one year).",
    )


class ListWatches(BaseModel):
    """Which watches to list."""

    all: bool = Field(default=False, description="Include ended watches.")


class WatchRef(BaseModel):
    """One watch."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class EndBody(BaseModel):
    """Why a watch ends."""

    reason: str = Field(description="Why the watch ends (required; kept in the audit log).")


class EndWatch(EndBody):
    """End a watch of your organisation."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class ExtendBody(BaseModel):
    """The new end of a watch."""

    until: str = Field(description="New last day of the watch, YYYY-MM-DD or a timestamp.")


class ExtendWatch(ExtendBody):
    """Extend a watch of your organisation."""

    watch_id: str = Field(description="The watch: its full id, or 8+ characters of its uuid.")


class ListHits(BaseModel):
    """Which hits to list."""

    watch_id: str | None = Field(default=None, description="Only the hits of this watch.")
    limit: int = Field(default=100, ge=1, le=1000, description="At most this many, newest first.")


# Responses ------------------------------------------------------------------------------


class Watch(BaseModel):
    """A watch as its organisation sees it."""

    id: str
    kind: Kind
    label: str = Field(description="What is watched: the subject's name, the name or the key.")
    subject_id: str | None = None
    owner: str = Field(description="The user told of hits and of the coming expiry.")
    created_by: str
    created: str
    until: str | None = None
    ended: str | None = None
    state: WatchState = Field(
        description="active; expiring (within the warning period); expired (past its end, "
        "not extended); ended."
    )
    source_tip_id: str | None = Field(default=None, description="The tip it came from.")
    keys: list[str] = Field(default_factory=list, description="What it matches (while running).")
    hits: int = Field(description="Hits on objects you may see.")


class Hit(BaseModel):
    """A newly stored object version that matched a watch."""

    id: int
    watch_id: str
    watch_label: str
    matched: str = Field(description="The watch keys the object carried.")
    object_id: str
    object_type: str
    version: str
    at: str
    report_state: ReportState = Field(
        description="none (no partner to tell), pending, sent, withheld (rules forbid it)."
    )
    report_id: str | None = None
    report_reason: str = ""


class WatchNotices(BaseModel):
    """What the inbox shows about watches."""

    hits: list[Hit] = Field(description="The organisation's recent hits, newest first.")
    expiring: list[Watch] = Field(description="Your watches that end within the warning period.")
    expired: list[Watch] = Field(description="Your watches that ended lately without extension.")


# Keys of objects ------------------------------------------------------------------------


def ref_keys(obj: Mapping[str, Any]) -> set[str]:
    """Return ``ref:`` keys: the object's own id and the objects it is about."""
    found: list[Any] = [obj.get("id")]
    for prop, value in obj.items():
        if prop in _NOT_ABOUT:
            continue
        if prop.endswith("_ref"):
            found.append(value)
        elif prop.endswith("_refs") and isinstance(value, list):
            found += value[:MAX_REFS]
    return {make_key(REF, ref) for ref in found[:MAX_REFS] if isinstance(ref, str) and ref}


def object_keys(
    obj: Mapping[str, Any], rules: KeyRules, kinds: frozenset[str] = KEY_KINDS
) -> set[str]:
    """Return every key of a stored object, of the kinds asked for only."""
    keys = ref_keys(obj) if REF in kinds else set()
    if NAME in kinds:
        keys |= name_keys(obj, rules.names)
    return keys | object_observable_keys(obj, rules.phone_region, kinds & observables.KINDS)


def subject_keys(obj: Mapping[str, Any], rules: KeyRules) -> set[str]:
    """Return the keys of a watched object: its id, its names and its observables."""
    return (
        {make_key(REF, str(obj["id"]))}
        | name_keys(obj, rules.names)
        | object_observable_keys(obj, rules.phone_region)
    )


def watchable(obj: Mapping[str, Any], region: str) -> bool:
    """Tell whether an object is a person, a group or an observable."""
    kind = obj.get("type")
    if kind in PERSON_AND_GROUP_TYPES:
        return True
    if kind == "indicator":
        pattern = obj.get("pattern")
        return (
            obj.get("pattern_type") == "stix"
            and isinstance(pattern, str)
            and bool(observables.pattern_keys(pattern[: observables.MAX_TEXT], region))
        )
    # Cyber-observables are the objects without a 'created' timestamp.
    return isinstance(kind, str) and "created" not in obj and kind != "bundle"


def _label_of(obj: Mapping[str, Any]) -> str:
    names = names_of(obj)
    kind = str(obj.get("type", ""))
    if names:
        return f"{kind} {names[0]}"[:MAX_NAME]
    for prop in ("value", "account_login", "name", "pattern"):
        value = obj.get(prop)
        if isinstance(value, str) and value.strip():
            return f"{kind} {value.strip()}"[:MAX_NAME]
    return str(obj.get("id", kind))


# Reading -------------------------------------------------------------------------------


def _version_visible(viewer: Viewer, stix_id: Any, version: Any) -> Any:
    placement = channel_objects.alias("seen_placement")
    return exists().where(
        placement.c.stix_id == stix_id,
        placement.c.version == version,
        visible_placement(viewer, placement),
    )


def _select_watches(viewer: Viewer) -> Select[Any]:
    owner = users.alias("owner_user")
    creator = users.alias("creator_user")
    return (
        select(
            watches,
            owner.c.username.label("owner_name"),
            creator.c.username.label("creator_name"),
        )
        .join(owner, owner.c.id == watches.c.owner_id)
        .join(creator, creator.c.id == watches.c.created_by)
        .where(watches_kept_by(viewer))
    )


def _no_watch(reference: str) -> NotFound:
    return unknown("watch", reference)


def _resolve(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the row of the watch the viewer means, by full id or unique uuid prefix.

    A watch of another organisation is never matched, so it answers like a missing one.
    """
    query = _select_watches(viewer)
    return find_record(conn, query, watches.c.id, "watch", "watch", reference)


def _state(row: Any, now: int, warning: int) -> WatchState:
    if row.ended is not None:
        return "ended"
    if row.until is not None and row.until <= now:
        return "expired"
    if row.until is not None and row.until - now <= warning:
        return "expiring"
    return "active"


def _views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], now: int, warning: int
) -> list[Watch]:
    ids = [row.id for row in rows]
    keys: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for chunk in chunked(ids):
        for key_row in conn.execute(
            select(watch_keys.c.watch_id, watch_keys.c.key)
            .where(watch_keys.c.watch_id.in_(chunk))
            .order_by(watch_keys.c.key)
        ):
            keys.setdefault(key_row.watch_id, []).append(key_row.key)
        counted = conn.execute(
            select(watch_hits.c.watch_id, func.count().label("n"))
            .where(
                watch_hits.c.watch_id.in_(chunk),
                _version_visible(viewer, watch_hits.c.stix_id, watch_hits.c.version),
            )
            .group_by(watch_hits.c.watch_id)
        )
        counts.update({r.watch_id: r.n for r in counted})
    labels = _Labels(conn, viewer)
    return [
        Watch(
            id=row.id,
            kind=row.kind,
            label=labels.of(row),
            subject_id=row.subject_id,
            owner=row.owner_name,
            created_by=row.creator_name,
            created=stamp(row.created) or "",
            until=stamp(row.until),
            ended=stamp(row.ended),
            state=_state(row, now, warning),
            source_tip_id=row.source_tip_id,
            keys=keys.get(row.id, []) if labels.shown(row) else [],
            hits=counts.get(row.id, 0),
        )
        for row in rows
    ]


class _Labels:
    """What a user is told a watch is about: a subject's name only if they may see it."""

    def __init__(self, conn: Connection, viewer: Viewer) -> None:
        self._conn = conn
        self._viewer = viewer
        self._seen: dict[str, bool] = {}

    def shown(self, row: Any) -> bool:
        """Tell whether the user may see what the watch is about (a TLP:RED subject...)."""
        if row.subject_id is None:
            return True
        if row.subject_id not in self._seen:
            self._seen[row.subject_id] = object_visible_anywhere(
                self._conn, self._viewer, row.subject_id
            )
        return self._seen[row.subject_id]

    def of(self, row: Any) -> str:
        """Return the label, or the bare subject id when the subject is hidden from the user."""
        return str(row.label) if self.shown(row) else f"{row.subject_id} (hidden from you)"


def _view(conn: Connection, viewer: Viewer, watch_id: str, now: int, warning: int) -> Watch:
    row = conn.execute(_select_watches(viewer).where(watches.c.id == watch_id)).one()
    return _views(conn, viewer, [row], now, warning)[0]


def _hits_query(viewer: Viewer) -> Select[Any]:
    return (
        select(
            watch_hits,
            watches.c.label,
            watches.c.subject_id,
        )
        .join(watches, watches.c.id == watch_hits.c.watch_id)
        .where(
            watches_kept_by(viewer),
            _version_visible(viewer, watch_hits.c.stix_id, watch_hits.c.version),
        )
        .order_by(watch_hits.c.at.desc(), watch_hits.c.id.desc())
    )


def _hit_views(conn: Connection, viewer: Viewer, rows: Iterable[Any]) -> list[Hit]:
    labels = _Labels(conn, viewer)
    return [
        Hit(
            id=row.id,
            watch_id=row.watch_id,
            watch_label=labels.of(row),
            matched=row.matched,
            object_id=row.stix_id,
            object_type=row.stix_id.split("--", 1)[0],
            version=row.version,
            at=stamp(row.at) or "",
            report_state=row.report_state,
            report_id=row.report_id,
            report_reason=row.report_reason,
        )
        for row in rows
    ]


# Operations ----------------------------------------------------------------------------


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


def _create(
    conn: Connection,
    *,
    owner: Viewer,
    created_by: Viewer,
    kind: Kind,
    label: str,
    keys: set[str],
    until: int,
    now: int,
    subject_id: str | None = None,
    source_tip_id: str | None = None,
) -> str:
    watch_id = new_id("watch")
    conn.execute(
        watches.insert().values(
            id=watch_id,
            org_id=owner.org_id,
            owner_id=owner.user_id,
            created_by=created_by.user_id,
            kind=kind,
            label=label[:MAX_NAME],
            subject_id=subject_id,
            created=now,
            until=until,
            ended=None,
            source_tip_id=source_tip_id,
        )
    )
    conn.execute(watch_keys.insert(), [{"watch_id": watch_id, "key": key} for key in sorted(keys)])
    return watch_id


def _running(viewer: Viewer, now: int) -> Any:
    return and_(
        watches_kept_by(viewer),
        watches.c.ended.is_(None),
        or_(watches.c.until.is_(None), watches.c.until > now),
    )


def add_watch(ctx: Context, request: AddWatch) -> Watch:
    """Put a subject, a name or an observable on watch for a user of your organisation."""
    viewer = ctx.viewer
    require_worker(viewer)
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
    now = ctx.now()
    until = _until(request.until, now)
    rules = ctx.keys
    with ctx.database.write() as conn:
        owner = _owner(conn, viewer, request.owner)
        subject_id: str | None = None
        if kind == "subject":
            subject_id, keys, label = _subject(conn, viewer, owner, value, rules)
            same = watches.c.subject_id == subject_id
        elif kind == "name":
            if len(value) > MAX_NAME:
                raise BadInput(f"the name is too long ({len(value)} characters; at most 300)")
            keys, label = typed_name_keys([value], rules.names), value
            if not keys:
                raise BadInput(f"{value[:60]!r} holds no letter or digit to match on")
            same = and_(watches.c.kind == "name", watches.c.label == label)
        else:
            key = observable_key(value, rules.phone_region)
            keys, label = {key}, key
            same = and_(watches.c.kind == "observable", watches.c.label == label)
        clash = conn.execute(
            select(watches.c.id).where(_running(viewer, now), same).limit(1)
        ).scalar()
        if clash:
            raise Conflict(f"{label[:80]!r} is already on watch ({clash}): extend that one")
        watch_id = _create(
            conn,
            owner=owner,
            created_by=viewer,
            kind=cast(Kind, kind),
            label=label,
            keys=keys,
            until=until,
            now=now,
            subject_id=subject_id,
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "watch-add",
            [watch_id, *([subject_id] if subject_id else [])],
            {"kind": kind, "owner": owner.username, "until": stamp(until)},
        )
        return _view(conn, viewer, watch_id, now, ctx.settings.watch_warning)


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
    return subject_id, subject_keys(body, rules), _label_of(body)


def list_watches(ctx: Context, request: ListWatches) -> list[Watch]:
    """List your organisation's watches, newest first (ended ones only with ``all``)."""
    require_worker(ctx.viewer)
    query = _select_watches(ctx.viewer).order_by(watches.c.created.desc(), watches.c.id)
    if not request.all:
        query = query.where(watches.c.ended.is_(None))
    with ctx.database.read() as conn:
        rows = conn.execute(query).all()
        return _views(conn, ctx.viewer, rows, ctx.now(), ctx.settings.watch_warning)


def show_watch(ctx: Context, request: WatchRef) -> Watch:
    """Show one watch of your organisation, with its keys."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        row = _resolve(conn, ctx.viewer, request.watch_id)
        return _views(conn, ctx.viewer, [row], ctx.now(), ctx.settings.watch_warning)[0]


def end_watch(ctx: Context, request: EndWatch) -> Watch:
    """End a watch of your organisation, saying why; it stops matching at once."""
    viewer = ctx.viewer
    require_worker(viewer)
    reason = request.reason.strip()
    if not reason:
        raise BadInput("ending a watch needs a reason (--reason TEXT)")
    if len(reason) > MAX_REASON:
        raise BadInput(f"the reason is too long ({len(reason)} characters; at most 4000)")
    now = ctx.now()
    with ctx.database.write() as conn:
        row = _resolve(conn, viewer, request.watch_id)
        if row.ended is not None:
            raise Conflict(f"{row.id} already ended on {stamp(row.ended)}")
        conn.execute(watches.update().where(watches.c.id == row.id).values(ended=now))
        # An ended watch matches nothing: its keys leave the index that ingest consults.
        conn.execute(watch_keys.delete().where(watch_keys.c.watch_id == row.id))
        audit.record(ctx.database, conn, viewer, "watch-end", [row.id], {"reason": reason})
        return _view(conn, viewer, row.id, now, ctx.settings.watch_warning)


def extend_watch(ctx: Context, request: ExtendWatch) -> Watch:
    """Move the end of a watch of your organisation (also one that has just expired)."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    if not request.until.strip():
        raise BadInput("say until when: --until YYYY-MM-DD")
    until = _until(request.until, now)
    with ctx.database.write() as conn:
        row = _resolve(conn, viewer, request.watch_id)
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
        return _view(conn, viewer, row.id, now, ctx.settings.watch_warning)


def list_hits(ctx: Context, request: ListHits) -> list[Hit]:
    """List your organisation's watch hits on objects you may see, newest first."""
    require_worker(ctx.viewer)
    query = _hits_query(ctx.viewer)
    with ctx.database.read() as conn:
        if request.watch_id is not None:
            row = _resolve(conn, ctx.viewer, request.watch_id)
            query = query.where(watch_hits.c.watch_id == row.id)
        return _hit_views(conn, ctx.viewer, conn.execute(query.limit(request.limit)))


def inbox_notices(
    conn: Connection,
    viewer: Viewer,
    now: int,
    *,
    warning: int = ExchangeSettings.watch_warning,
) -> WatchNotices:
    """Return what the inbox shows of watches: recent hits, and the viewer's watches that
    expire within ``warning`` or expired in the last :data:`RECENT` without extension."""
    if viewer.role is Role.AUDITOR:
        return WatchNotices(hits=[], expiring=[], expired=[])
    hits = conn.execute(_hits_query(viewer).where(watch_hits.c.at > now - RECENT).limit(INBOX_HITS))
    mine = _select_watches(viewer).where(
        watches.c.owner_id == viewer.user_id, watches.c.ended.is_(None)
    )
    expiring = conn.execute(
        mine.where(watches.c.until > now, watches.c.until <= now + warning).order_by(
            watches.c.until
        )
    ).all()
    expired = conn.execute(
        mine.where(watches.c.until <= now, watches.c.until > now - RECENT).order_by(
            watches.c.until.desc()
        )
    ).all()
    return WatchNotices(
        hits=_hit_views(conn, viewer, hits),
        expiring=_views(conn, viewer, expiring, now, warning),
        expired=_views(conn, viewer, expired, now, warning),
    )


# The tip workflow ----------------------------------------------------------------------


def watch_subjects(
    conn: Connection,
    *,
    owner: Viewer,
    created_by: Viewer,
    subject_ids: Sequence[str],
    source_tip_id: str | None,
    until: int | None,
    now: int,
    rules: KeyRules,
) -> list[str]:
    """Put on watch, for ``owner``, each person, group or observable among ``subject_ids``
    that the owner may see; return the watch ids (an existing watch of the same tip counts).

    Runs inside the caller's write transaction (closing a tip with "no link found").
    ``until`` None means :data:`DEFAULT_TERM` from now.
    """
    require_worker(owner)
    end = now + DEFAULT_TERM if until is None else until
    if end <= now:
        raise BadInput("a watch must end in the future")
    made: list[str] = []
    for subject_id in dict.fromkeys(subject_ids):
        body = latest_visible_bodies(conn, owner, [subject_id]).get(subject_id)
        if body is None or not watchable(body, rules.phone_region):
            continue
        known = conn.execute(
            select(watches.c.id).where(
                _running(owner, now),
                watches.c.subject_id == subject_id,
                watches.c.source_tip_id.is_(None)
                if source_tip_id is None
                else watches.c.source_tip_id == source_tip_id,
            )
        ).scalar()
        made.append(
            known
            or _create(
                conn,
                owner=owner,
                created_by=created_by,
                kind="subject",
                label=_label_of(body),
                keys=subject_keys(body, rules),
                until=end,
                now=now,
                subject_id=subject_id,
                source_tip_id=source_tip_id,
            )
        )
    return made


# Ingest --------------------------------------------------------------------------------


# Each envelope stored runs the statements below, so they are built once: building one
# with SQLAlchemy cost several times more than running it. Nothing read through them is
# kept between transactions: another process may add a watch at any time.


def _kinds_probe() -> Select[str]:
    """The kinds of keys that some watch holds: one index look-up per kind."""
    # "kind;" is the first string after every "kind:..." key (';' follows ':').
    kinds = values(
        column("kind", String),
        column("low", String),
        column("high", String),
        name="key_kinds",
        literal_binds=True,
    ).data([(kind, f"{kind}:", f"{kind};") for kind in sorted(KEY_KINDS)])
    listed = kinds.cte("key_kinds")
    return select(listed.c.kind).where(
        exists().where(watch_keys.c.key >= listed.c.low, watch_keys.c.key < listed.c.high)
    )


class _PlainQuery:
    """A query that takes no parameter, compiled once per dialect and run as plain SQL.

    Cheaper than running it through SQLAlchemy, and for a VALUES list the only way to
    compile it once: SQLAlchemy does not cache the compiled form of one.
    """

    def __init__(self, query: Select[Any]) -> None:
        self._query = query
        self._sql: dict[str, str] = {}

    def scalars(self, conn: Connection) -> list[Any]:
        """Run the query; return the first column of its rows."""
        dialect = conn.dialect
        sql = self._sql.get(dialect.name)
        if sql is None:
            compiled = self._query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            sql = self._sql[dialect.name] = str(compiled)
        return list(conn.exec_driver_sql(sql).scalars())


_WATCHED_KINDS: Final = _PlainQuery(_kinds_probe())

# The running watches that hold one of :keys, with their owners' names.
_WATCHES_ON: Final = (
    select(
        watch_keys.c.key,
        watches.c.id,
        watches.c.owner_id,
        watches.c.source_tip_id,
        users.c.username.label("owner_name"),
    )
    .join(watches, watches.c.id == watch_keys.c.watch_id)
    .join(users, users.c.id == watches.c.owner_id)
    .where(
        watch_keys.c.key.in_(bindparam("keys", expanding=True)),
        watches.c.ended.is_(None),
        or_(watches.c.until.is_(None), watches.c.until > bindparam("now")),
    )
)

# The stored hits of the watches :watch_ids on the objects :stix_ids.
_HIT_IDS: Final = select(
    watch_hits.c.id, watch_hits.c.watch_id, watch_hits.c.stix_id, watch_hits.c.version
).where(
    watch_hits.c.watch_id.in_(bindparam("watch_ids", expanding=True)),
    watch_hits.c.stix_id.in_(bindparam("stix_ids", expanding=True)),
)

# The oldest hits still to report (ix_watch_hits_report finds them; usually there are none).
_PENDING: Final = _PlainQuery(
    select(watch_hits.c.id)
    .where(watch_hits.c.report_state == "pending")
    .order_by(watch_hits.c.id)
    .limit(1000)
)


def _watched_kinds(conn: Connection) -> frozenset[str]:
    """Return the kinds of keys that some watch holds: one query of index look-ups."""
    return frozenset(_WATCHED_KINDS.scalars(conn))


class WatchHits:
    """Listener of object writes: records the hits of the versions placed, inside the
    write transaction."""

    def __init__(self, rules: KeyRules) -> None:
        self._rules = rules

    def __call__(self, event: ObjectsStored) -> None:
        """Record the hits of every version the write placed."""
        record_hits(
            event.database,
            event.conn,
            [(v.stix_id, v.version, v.body) for v in event.placed],
            event.now,
            self._rules,
            placement=(event.channel_id, *event.date_added),
            parsed=[v.obj for v in event.placed],
        )


def record_hits(
    database: Database,
    conn: Connection,
    placed: Sequence[tuple[str, str, str]],
    now: int,
    rules: KeyRules,
    *,
    placement: tuple[int, int, int] | None = None,
    parsed: Sequence[Mapping[str, Any]] | None = None,
) -> list[int]:
    """Record the hits of object versions just stored; return the new hits' ids.

    ``placed`` holds (stix_id, version, body) of the versions placed in this transaction;
    ``parsed``, when given, the same objects already parsed, in the same order (their
    bodies are then not parsed again); ``placement`` the (channel id, first and last
    date_added) of those placements, so that a version the owner could already see elsewhere is not
    taken for new information (without it, any version visible to the owner hits).
    Costs one query of index look-ups when no watch holds keys of a kind the objects carry.
    """
    if not placed:
        return []
    if parsed is not None and len(parsed) != len(placed):
        raise ValueError(f"{len(parsed)} parsed objects for {len(placed)} placed versions")
    kinds = _watched_kinds(conn)
    if not kinds:
        return []
    keyed: dict[tuple[str, str], set[str]] = {}
    for index, (stix_id, version, body) in enumerate(placed):
        obj = orjson.loads(body) if parsed is None else parsed[index]
        if not isinstance(obj, Mapping) or carries_feedback(obj):
            continue
        keys = object_keys(obj, rules, kinds)
        if keys:
            keyed[(stix_id, version)] = keys
    watching = _watches_on(conn, {key for keys in keyed.values() for key in keys}, now)
    if not watching:
        return []
    candidates: dict[tuple[str, str, str], list[str]] = {}
    for (stix_id, version), keys in keyed.items():
        for key in sorted(keys):
            for watch in watching.get(key, ()):
                candidates.setdefault((watch.id, stix_id, version), []).append(key)
    about = {watch.id: watch for found in watching.values() for watch in found}
    # One visibility query per owner, not per candidate: a flood of matching objects
    # stays cheap.
    per_owner: dict[str, set[tuple[str, str]]] = {}
    for watch_id, stix_id, version in candidates:
        per_owner.setdefault(about[watch_id].owner_name, set()).add((stix_id, version))
    fresh = {
        owner: _new_to(conn, viewer_by_name(conn, owner), versions, placement)
        for owner, versions in per_owner.items()
    }
    rows: list[dict[str, Any]] = []
    for (watch_id, stix_id, version), matched in candidates.items():
        watch = about[watch_id]
        if (stix_id, version) not in fresh[watch.owner_name]:
            continue
        rows.append(
            {
                "watch_id": watch_id,
                "stix_id": stix_id,
                "version": version,
                "matched": " ".join(_by_kind(matched)),
                "at": now,
                "report_state": "pending" if watch.source_tip_id else "none",
                "report_id": None,
                "report_reason": "",
            }
        )
    return _insert_hits(database, conn, rows)


def _by_kind(keys: list[str]) -> list[str]:
    order = {REF: 0, "phone": 1, "email": 2, "handle": 3, "url": 4, NAME: 5}
    return sorted(keys, key=lambda key: (order.get(key.split(":", 1)[0], 9), key))


def _watches_on(conn: Connection, keys: set[str], now: int) -> dict[str, list[Any]]:
    """Return the running watches holding each key, through the key index."""
    found: dict[str, list[Any]] = {}
    ordered = sorted(keys)
    for chunk in chunked(ordered):
        for row in conn.execute(_WATCHES_ON, {"keys": chunk, "now": now}):
            found.setdefault(row.key, []).append(row)
    return found


def _new_to(
    conn: Connection,
    owner: Viewer,
    versions: set[tuple[str, str]],
    placement: tuple[int, int, int] | None,
) -> set[tuple[str, str]]:
    """Return the versions the owner may see now and could not see before this store."""
    seen = channel_objects.alias("seen_placement")
    visible = select(seen.c.stix_id, seen.c.version, seen.c.channel_id, seen.c.date_added).where(
        visible_placement(owner, seen)
    )
    ids = sorted({stix_id for stix_id, _version in versions})
    now_seen: set[tuple[str, str]] = set()
    seen_before: set[tuple[str, str]] = set()
    for chunk in chunked(ids):
        for row in conn.execute(visible.where(seen.c.stix_id.in_(chunk))):
            pair = (row.stix_id, row.version)
            if pair not in versions:
                continue
            now_seen.add(pair)
            if placement is not None and not _placed_now(row, placement):
                seen_before.add(pair)
    return now_seen - seen_before


def _placed_now(row: Any, placement: tuple[int, int, int]) -> bool:
    """Tell whether a placement row is one the current write made."""
    channel_id, first, last = placement
    return bool(row.channel_id == channel_id and first <= row.date_added <= last)


def _insert_hits(database: Database, conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the hits not recorded yet (a concurrent twin is ignored); return their ids."""
    if not rows:
        return []
    wanted = [(row["watch_id"], row["stix_id"], row["version"]) for row in rows]
    known = _hit_ids(conn, wanted)
    fresh = [row for row, triple in zip(rows, wanted, strict=True) if triple not in known]
    database.insert_ignoring_duplicates(conn, watch_hits, fresh)
    made = _hit_ids(conn, [t for t in wanted if t not in known])
    return sorted(made.values())


def _hit_ids(conn: Connection, triples: Sequence[tuple[str, str, str]]) -> dict[Any, int]:
    """Return the ids of the stored hits among (watch id, stix id, version) triples."""
    wanted = set(triples)
    watch_ids = sorted({t[0] for t in wanted})
    stix_ids = sorted({t[1] for t in wanted})
    found: dict[Any, int] = {}
    for chunk in chunked(stix_ids):
        for row in conn.execute(_HIT_IDS, {"watch_ids": watch_ids, "stix_ids": chunk}):
            triple = (row.watch_id, row.stix_id, row.version)
            if triple in wanted:
                found[triple] = row.id
    return found


def report_hits(event: WriteCommitted) -> None:
    """Listener of committed writes: report the hits still pending."""
    report_pending(event.database, event.hooks, event.now)


def report_pending(database: Database, hooks: Hooks, now: int) -> None:
    """Report every hit still 'pending' to its partner, each in its own transaction.

    Safe to call any number of times: a hit left pending by a crash after the ingest
    committed is reported by the next call, and a failure leaves the hit pending.
    """
    with database.read() as conn:
        pending = _PENDING.scalars(conn)
    if not pending:
        return
    for hit_id in pending:
        try:
            feedback.report_watch_hit(database, hooks, hit_id, now)
        except Exception:  # the data is committed; the next call retries this hit
            _log.exception("reporting watch hit %s failed; it stays pending", hit_id)


# Operations ----------------------------------------------------------------------------

ADD = register(Operation("watch.add", "POST", "/api/watches", AddWatch, add_watch))
LIST = register(Operation("watch.list", "GET", "/api/watches", ListWatches, list_watches))
HITS = register(Operation("watch.hits", "GET", "/api/watch-hits", ListHits, list_hits))
SHOW = register(Operation("watch.show", "GET", "/api/watches/{watch_id}", WatchRef, show_watch))
END = register(Operation("watch.end", "POST", "/api/watches/{watch_id}/end", EndWatch, end_watch))
EXTEND = register(
    Operation("watch.extend", "POST", "/api/watches/{watch_id}/extend", ExtendWatch, extend_watch)
)
