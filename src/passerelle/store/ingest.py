"""Writing objects into a channel: validation, versions, date_added and the status record.

One envelope is one transaction: the objects that pass validation and the status
resource that reports them commit together, so a status that says "success" is never
ahead of the data, even if the process is killed mid-write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.stix.timestamps import now_micros, version_key
from passerelle.stix.validation import InvalidObject, validate_object
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects, objects, statuses

_ID_CHUNK = 500


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


@dataclass(frozen=True)
class _Candidate:
    stix_id: str
    version: str
    type: str
    spec_version: str
    revoked: bool
    body: str
    shown_version: str


def _prepare(obj: object) -> _Candidate:
    validate_object(obj)
    assert isinstance(obj, dict)
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
    )


def _describe(obj: object) -> tuple[str, str]:
    if isinstance(obj, dict):
        ident, stamp = obj.get("id"), obj.get("modified") or obj.get("created")
        return (ident if isinstance(ident, str) else "", stamp if isinstance(stamp, str) else "")
    return ("", "")


def _stored_bodies(conn: Connection, ids: Sequence[str]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        rows = conn.execute(
            select(objects.c.stix_id, objects.c.version, objects.c.body).where(
                objects.c.stix_id.in_(chunk)
            )
        )
        found.update({(r.stix_id, r.version): r.body for r in rows})
    return found


def _first_date_added(conn: Connection, channel_id: int) -> int:
    last = conn.execute(
        select(func.max(channel_objects.c.date_added)).where(
            channel_objects.c.channel_id == channel_id
        )
    ).scalar()
    # Strictly increasing per channel, so that a client paging with added_after on
    # X-TAXII-Date-Added-Last never skips an object that shares a timestamp.
    return max(now_micros(), (last or 0) + 1)


def ingest(
    database: Database, viewer: Viewer, channel: Channel, candidates: Iterable[object]
) -> IngestResult:
    """Store an envelope's objects in a channel on behalf of a viewer; report each one.

    The caller has already checked that the viewer may write into the channel.
    """
    items = list(candidates)
    result = IngestResult(str(uuid.uuid4()), now_micros(), len(items))
    prepared: list[_Candidate] = []
    for obj in items:
        try:
            prepared.append(_prepare(obj))
        except InvalidObject as exc:
            ident, shown = _describe(obj)
            result.failures.append(Verdict(ident, shown, exc.reason))
    with database.write([channel.id]) as conn:
        accepted = _store(database, conn, viewer, channel, prepared, result)
        result.successes.extend(accepted)
        _record_status(conn, viewer, channel, result)
    return result


def _store(
    database: Database,
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    prepared: list[_Candidate],
    result: IngestResult,
) -> list[Verdict]:
    stored = _stored_bodies(conn, sorted({c.stix_id for c in prepared}))
    new_objects: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    accepted: list[Verdict] = []
    date_added = _first_date_added(conn, channel.id)
    for cand in prepared:
        key = (cand.stix_id, cand.version)
        known = stored.get(key)
        if known is not None and known != cand.body:
            result.failures.append(
                Verdict(
                    cand.stix_id,
                    cand.shown_version,
                    "a different object with this id and modified is already stored; "
                    "a new version needs a later 'modified'",
                )
            )
            continue
        if known is None:
            stored[key] = cand.body
            new_objects.append(_object_row(cand, viewer))
        placements.append(_placement_row(cand, channel, viewer, date_added))
        date_added += 1
        accepted.append(Verdict(cand.stix_id, cand.shown_version))
    database.insert_ignoring_duplicates(conn, objects, new_objects)
    database.insert_ignoring_duplicates(conn, channel_objects, placements)
    return accepted


def _object_row(cand: _Candidate, viewer: Viewer) -> dict[str, Any]:
    return {
        "stix_id": cand.stix_id,
        "version": cand.version,
        "type": cand.type,
        "spec_version": cand.spec_version,
        "revoked": cand.revoked,
        "producer_org_id": viewer.org_id,
        "body": cand.body,
    }


def _placement_row(
    cand: _Candidate, channel: Channel, viewer: Viewer, date_added: int
) -> dict[str, Any]:
    return {
        "channel_id": channel.id,
        "stix_id": cand.stix_id,
        "version": cand.version,
        "type": cand.type,
        "spec_version": cand.spec_version,
        "date_added": date_added,
        "added_by": viewer.user_id,
    }


def _record_status(
    conn: Connection, viewer: Viewer, channel: Channel, result: IngestResult
) -> None:
    details = {
        "successes": [v.as_status_entry() for v in result.successes],
        "failures": [v.as_status_entry() for v in result.failures],
        "pendings": [],
    }
    conn.execute(
        statuses.insert().values(
            id=result.status_id,
            channel_id=channel.id,
            user_id=viewer.user_id,
            request_timestamp=result.request_timestamp,
            total_count=result.total,
            success_count=len(result.successes),
            failure_count=len(result.failures),
            pending_count=0,
            details=orjson.dumps(details).decode(),
        )
    )
