"""Writing objects into a channel: validation, versions, date_added and the status record.

One envelope is one transaction: the objects that pass validation and the status
resource that reports them commit together, so a status that says "success" is never
ahead of the data, even if the process is killed mid-write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import Connection, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from passerelle.audit import log as audit
from passerelle.errors import PasserelleError
from passerelle.objects.hooks import Hooks, ObjectsStored, Placement, StoredVersion
from passerelle.objects.writing import Write, writing
from passerelle.policy.actions import (
    ONWARD,
    effective_tlp,
    has_grant,
    restricts_onward_sharing,
)
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.stix.markings import (
    Handling,
    HandlingCode,
    InvalidHandling,
    Tlp,
    read_handling,
)
from passerelle.stix.timestamps import now_micros, version_key
from passerelle.stix.validation import InvalidObject, validate_object
from passerelle.store.chunks import chunked
from passerelle.store.database import Database
from passerelle.store.schema import (
    channel_objects,
    object_recipients,
    object_refs,
    objects,
    statuses,
)


@dataclass(frozen=True)
class Verdict:
    """What happened to one object of an envelope."""

    id: str
    version: str
    message: str = ""

    def as_status_entry(self) -> dict[str, str]:
        """Render as a TAXII status-details entry."""
        entry = {"id": self.id, "version": self.version}
        if self.message:
            entry["message"] = self.message
        return entry


@dataclass
class IngestResult:
    """The outcome of one envelope: a status resource in all but name."""

    status_id: str
    request_timestamp: int
    total: int
    successes: list[Verdict] = field(default_factory=list)
    failures: list[Verdict] = field(default_factory=list)


# Properties whose targets a derived object is made of: a relationship's ends, a
# sighting's subject and evidence, a report's (or note's, opinion's...) contents.
_INPUT_REFS = ("source_ref", "target_ref", "sighting_of_ref")
_INPUT_REF_LISTS = ("observed_data_refs", "where_sighted_refs", "object_refs")


@dataclass(slots=True)
class _Candidate:
    stix_id: str
    version: str
    type: str
    spec_version: str
    revoked: bool
    body: str
    shown_version: str
    handling: Handling
    inputs: tuple[str, ...]
    obj: dict[str, Any]


_INPUT_PROPERTIES = frozenset(_INPUT_REFS + _INPUT_REF_LISTS)


def _inputs(obj: dict[str, Any]) -> tuple[str, ...]:
    if _INPUT_PROPERTIES.isdisjoint(obj):
        return ()
    found = [obj[name] for name in _INPUT_REFS if isinstance(obj.get(name), str)]
    for name in _INPUT_REF_LISTS:
        found += [ref for ref in obj.get(name) or () if isinstance(ref, str)]
    return tuple(dict.fromkeys(found))


def _prepare(obj: object, recipients: Sequence[str] = ()) -> _Candidate:
    validate_object(obj)
    assert isinstance(obj, dict)
    try:
        handling = read_handling(obj, recipients)
    except InvalidHandling as exc:
        raise InvalidObject(f"{obj['id']}: {exc}") from exc
    stamp = obj.get("modified") or obj.get("created")
    version = version_key(stamp) if isinstance(stamp, str) else ""
    return _Candidate(
        stix_id=obj["id"],
        version=version,
        type=obj["type"],
        spec_version=obj.get("spec_version", "2.1"),
        revoked=bool(obj.get("revoked", False)),
        body=orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode(),
        shown_version=stamp if isinstance(stamp, str) else "",
        handling=handling,
        inputs=_inputs(obj),
        obj=obj,
    )


def _describe(obj: object) -> tuple[str, str]:
    if isinstance(obj, dict):
        ident, stamp = obj.get("id"), obj.get("modified") or obj.get("created")
        return (ident if isinstance(ident, str) else "", stamp if isinstance(stamp, str) else "")
    return ("", "")


_STORED_COLUMNS: Final = (
    objects.c.stix_id,
    objects.c.version,
    objects.c.body,
    objects.c.producer_org_id,
    objects.c.tlp,
    objects.c.handling_codes,
)
_STORED_VERSIONS: Final = select(*_STORED_COLUMNS).where(
    objects.c.stix_id.in_(bindparam("ids", expanding=True))
)
# PostgreSQL: one array parameter, where an IN list of hundreds of parameters cost more
# to send and plan than to run.
_STORED_VERSIONS_PG: Final = select(*_STORED_COLUMNS).where(
    objects.c.stix_id == any_(bindparam("ids", type_=ARRAY(String)))
)


def _stored_versions(conn: Connection, ids: Sequence[str]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    query = _STORED_VERSIONS_PG if conn.dialect.name == "postgresql" else _STORED_VERSIONS
    for chunk in chunked(ids):
        rows = conn.execute(query, {"ids": list(chunk)})
        found.update({(r.stix_id, r.version): r for r in rows})
    return found


def _known_markings(conn: Connection, prepared: Sequence[_Candidate]) -> set[str]:
    wanted = sorted({ref for c in prepared for ref in c.handling.statement_refs})
    known = {c.stix_id for c in prepared if c.type == "marking-definition"}
    if wanted:
        rows = conn.execute(
            select(objects.c.stix_id).where(
                objects.c.stix_id.in_(wanted), objects.c.type == "marking-definition"
            )
        )
        known.update(r.stix_id for r in rows)
    return known


_LAST_DATE_ADDED: Final = select(func.max(channel_objects.c.date_added)).where(
    channel_objects.c.channel_id == bindparam("channel_id")
)


def _envelope_date_added(conn: Connection, channel_id: int) -> int:
    last = conn.execute(_LAST_DATE_ADDED, {"channel_id": channel_id}).scalar()
    # One date_added for the whole envelope, strictly later than the channel's previous
    # envelope: pages stay in commit order, and no gap between two objects' date_added
    # counts objects a viewer may not see.
    return max(now_micros(), (last or 0) + 1)


def ingest(
    database: Database,
    hooks: Hooks,
    viewer: Viewer,
    channel: Channel,
    candidates: Iterable[object],
    recipients: Sequence[str] = (),
    clock: Callable[[], int] = now_micros,
) -> IngestResult:
    """Store an envelope's objects in a channel on behalf of a viewer; report each one.

    ``recipients`` name further individual recipients of the envelope's TLP:RED objects.
    The caller has already checked that the viewer may write into the channel. ``clock``
    dates what the write's listeners record (watch hits, entity links).
    """
    items = list(candidates)
    result = IngestResult(str(uuid.uuid4()), now_micros(), len(items))
    prepared = _prepare_all(items, recipients, result)
    with writing(database, hooks, clock(), [channel.id]) as write:
        accepted = _store(write, viewer, channel, prepared, result)
        result.successes.extend(accepted)
        _record_status(write.conn, viewer, channel, result)
        audit.record(
            database,
            write.conn,
            viewer,
            "write",
            [v.id for v in accepted],
            {"channel": channel.title, "rejected": len(result.failures)},
        )
    return result


def _prepare_all(
    items: Sequence[object], recipients: Sequence[str], result: IngestResult
) -> list[_Candidate]:
    """Validate each object; the invalid ones become failures of the result."""
    prepared: list[_Candidate] = []
    for obj in items:
        try:
            prepared.append(_prepare(obj, recipients))
        except InvalidObject as exc:
            ident, shown = _describe(obj)
            result.failures.append(Verdict(ident, shown, exc.reason))
    return prepared


class Refused(PasserelleError):
    """Objects that may not be stored together; nothing of them was stored."""

    def __init__(self, failures: Sequence[Verdict]) -> None:
        reasons = "; ".join(f"{v.id}: {v.message}" for v in failures[:20])
        more = f" (and {len(failures) - 20} more)" if len(failures) > 20 else ""
        super().__init__(f"refused, nothing was shared: {reasons}{more}")
        self.failures = list(failures)


def store_all_or_nothing(
    write: Write,
    viewer: Viewer,
    channel: Channel,
    candidates: Iterable[object],
    recipients: Sequence[str] = (),
) -> list[Verdict]:
    """Store objects in a channel inside the caller's write transaction, all or none.

    The caller opened ``write`` with :func:`passerelle.objects.writing.writing` for the
    channel and has checked the viewer's right to write. If any object is invalid or its
    handling forbids placing it here, nothing is stored and :class:`Refused` lists every
    object refused and why. The write's listeners run in the same transaction.
    """
    items = list(candidates)
    result = IngestResult("", now_micros(), len(items))
    prepared = _prepare_all(items, recipients, result)
    accepted = _store(write, viewer, channel, prepared, result, atomic=True)
    if result.failures:
        raise Refused(result.failures)
    return accepted


def _store(
    write: Write,
    viewer: Viewer,
    channel: Channel,
    prepared: list[_Candidate],
    result: IngestResult,
    atomic: bool = False,
) -> list[Verdict]:
    conn, database = write.conn, write.database
    stored = _stored_versions(conn, sorted({c.stix_id for c in prepared}))
    markings = _known_markings(conn, prepared)
    new: list[_Candidate] = []
    placements: list[tuple[Any, ...]] = []
    refs: list[tuple[str, str, str]] = []
    recipients: list[tuple[str, str, str]] = []
    accepted: list[Verdict] = []
    placed: dict[tuple[str, str], _Candidate] = {}
    date_added = _envelope_date_added(conn, channel.id)
    for cand in prepared:
        key = (cand.stix_id, cand.version)
        known = stored.get(key)
        refused = _refusal(conn, viewer, channel, cand, known, markings)
        if refused:
            result.failures.append(Verdict(cand.stix_id, cand.shown_version, refused))
            continue
        if known is None:
            known = stored[key] = _Stored(cand.body, viewer.org_id, int(cand.handling.codes))
            new.append(cand)
            refs += [(cand.stix_id, cand.version, ref) for ref in cand.inputs]
            recipients += [
                (cand.stix_id, cand.version, name)
                for name in dict.fromkeys(cand.handling.recipients)
            ]
        placements.append(_placement_row(cand, channel, viewer, date_added, known))
        placed[key] = cand
        accepted.append(Verdict(cand.stix_id, cand.shown_version))
    if atomic and result.failures:
        return []
    database.insert_rows(conn, objects, _OBJECT_COLUMNS, [_object_row(c, viewer) for c in new])
    database.insert_rows(conn, object_refs, ("stix_id", "version", "ref_id"), refs)
    database.insert_rows(conn, object_recipients, ("stix_id", "version", "username"), recipients)
    database.insert_rows(conn, channel_objects, _PLACEMENT_COLUMNS, placements)
    write.placed += [Placement(channel.id, c.stix_id, c.version) for c in placed.values()]
    write.hooks.announce_stored(
        ObjectsStored(
            write,
            viewer,
            channel.id,
            date_added,
            [_announced(c) for c in placed.values()],
            [_announced(c) for c in new],
        )
    )
    return accepted


def _announced(cand: _Candidate) -> StoredVersion:
    return StoredVersion(cand.stix_id, cand.version, cand.body, cand.obj)


@dataclass(frozen=True)
class _Stored:
    """What the store already holds for one version (or what this envelope adds)."""

    body: str
    producer_org_id: int
    handling_codes: int


def _refusal(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    cand: _Candidate,
    known: Any,
    markings: set[str],
) -> str:
    unknown = [ref for ref in cand.handling.statement_refs if ref not in markings]
    if unknown:
        return f"unknown marking {unknown[0]}: post its marking-definition first"
    if known is None:
        return ""
    if known.body != cand.body:
        return (
            "a different object with this id and modified is already stored; "
            "a new version needs a later 'modified'"
        )
    if known.producer_org_id == viewer.org_id:
        return ""
    tlp = effective_tlp(conn, cand.stix_id, cand.version)
    restricted = restricts_onward_sharing(tlp, HandlingCode(known.handling_codes))
    allowed = object_visible_anywhere(conn, viewer, cand.stix_id) and (
        not restricted or has_grant(conn, cand.stix_id, ONWARD, channel.id, viewer.org_id)
    )
    if not allowed:
        return (
            "its handling (H2, TLP:AMBER+STRICT or TLP:RED) forbids sharing it onward "
            "without its producer's permission"
        )
    return ""


_OBJECT_COLUMNS = (
    "stix_id",
    "version",
    "type",
    "spec_version",
    "revoked",
    "producer_org_id",
    "body",
    "tlp",
    "pap",
    "handling_codes",
    "h3_text",
)


def _object_row(cand: _Candidate, viewer: Viewer) -> tuple[Any, ...]:
    handling = cand.handling
    return (
        cand.stix_id,
        cand.version,
        cand.type,
        cand.spec_version,
        cand.revoked,
        viewer.org_id,
        cand.body,
        None if handling.tlp is None else int(handling.tlp),
        None if handling.pap is None else int(handling.pap),
        int(handling.codes),
        handling.h3_text,
    )


_PLACEMENT_COLUMNS = (
    "tlp",
    "tlp_defaulted",
    "clients_see",
    "producer_org_id",
    "channel_id",
    "stix_id",
    "version",
    "type",
    "spec_version",
    "date_added",
    "added_by",
)


def _placement_row(
    cand: _Candidate, channel: Channel, viewer: Viewer, date_added: int, known: Any
) -> tuple[Any, ...]:
    own = cand.handling.tlp
    tlp = int(own) if own is not None else int(channel.default_tlp)
    return (
        tlp,
        own is None,
        tlp <= Tlp.AMBER,
        known.producer_org_id,
        channel.id,
        cand.stix_id,
        cand.version,
        cand.type,
        cand.spec_version,
        date_added,
        viewer.user_id,
    )


def _record_status(
    conn: Connection, viewer: Viewer, channel: Channel, result: IngestResult
) -> None:
    details = {
        "successes": [v.as_status_entry() for v in result.successes],
        "failures": [v.as_status_entry() for v in result.failures],
        "pendings": [],
    }
    conn.execute(
        _INSERT_STATUS,
        {
            "id": result.status_id,
            "channel_id": channel.id,
            "user_id": viewer.user_id,
            "request_timestamp": result.request_timestamp,
            "total_count": result.total,
            "success_count": len(result.successes),
            "failure_count": len(result.failures),
            "pending_count": 0,
            "details": orjson.dumps(details).decode(),
        },
    )


_INSERT_STATUS: Final = statuses.insert()
