"""Writing objects into a channel: versions, placements, date_added and the status record.

One envelope is one transaction: the objects that pass validation and the status
resource that reports them commit together, so a status that says "success" is never
ahead of the data, even if the process is killed mid-write.

date_added rises strictly from one placement to the next within a channel, so a client
paging with ``added_after`` and ``X-TAXII-Date-Added-Last`` loses nothing. Within one
envelope the objects are dated from the most public to the most restricted (see
:func:`_publicity`): what a reader may see of an envelope is then, in the common cases,
one unbroken run, and the gaps between the dates they see count nothing they may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection, bindparam, func, select

from passerelle.audit import log as audit
from passerelle.errors import PasserelleError
from passerelle.objects.admission import Admission
from passerelle.objects.candidates import Candidate, IngestResult, Verdict, prepare_all
from passerelle.objects.hooks import Hooks, ObjectsStored
from passerelle.objects.writing import Write, writing
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.chunks import chunked
from passerelle.store.database import Database
from passerelle.store.schema import (
    channel_objects,
    object_recipients,
    object_refs,
    objects,
    statuses,
)

__all__ = ["IngestResult", "Refused", "Verdict", "ingest", "store_all_or_nothing"]


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
    prepared = prepare_all(items, recipients, result)
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
    prepared = prepare_all(items, recipients, result)
    accepted = _store(write, viewer, channel, prepared, result, atomic=True)
    if result.failures:
        raise Refused(result.failures)
    return accepted


def _store(
    write: Write,
    viewer: Viewer,
    channel: Channel,
    prepared: list[Candidate],
    result: IngestResult,
    atomic: bool = False,
) -> list[Verdict]:
    conn = write.conn
    admission = Admission(conn, viewer, channel, prepared)
    admitted: list[Candidate] = []
    for cand in prepared:
        refused = admission.decide(cand)
        if refused:
            result.failures.append(Verdict(cand.stix_id, cand.shown_version, refused))
        else:
            admitted.append(cand)
    if atomic and result.failures:
        return []
    admission.settle_claims(write.database, write.now, admitted)
    stored = admission.stored
    # Each version placed once (the first of equal ones), with its producer's organisation.
    placed: dict[tuple[str, str], tuple[Candidate, int]] = {}
    new: list[Candidate] = []
    for cand in admitted:
        key = (cand.stix_id, cand.version)
        if key in placed:
            continue
        known = stored.get(key)
        if known is None:
            new.append(cand)
            placed[key] = (cand, admission.producer_of(cand))
        else:
            placed[key] = (cand, known.producer_org_id)
    _insert(write, viewer, channel, new, list(placed.values()), admission)
    return [Verdict(c.stix_id, c.shown_version) for c in admitted]


def _insert(
    write: Write,
    viewer: Viewer,
    channel: Channel,
    new: list[Candidate],
    placed: list[tuple[Candidate, int]],
    admission: Admission,
) -> None:
    conn, database = write.conn, write.database
    refs = [(c.stix_id, c.version, ref) for c in new for ref in c.inputs]
    recipients = [
        (c.stix_id, c.version, name) for c in new for name in dict.fromkeys(c.handling.recipients)
    ]
    ordered = _dated(conn, channel, placed)
    first = _first_date_added(conn, channel.id)
    placements = [
        _placement_row(cand, channel, viewer, first + rank, producer)
        for rank, (cand, producer) in enumerate(ordered)
    ]
    rows = [_object_row(c, admission.producer_of(c)) for c in new]
    database.insert_rows(conn, objects, _OBJECT_COLUMNS, rows)
    database.insert_rows(conn, object_refs, ("stix_id", "version", "ref_id"), refs)
    database.insert_rows(conn, object_recipients, ("stix_id", "version", "username"), recipients)
    database.insert_rows(conn, channel_objects, _PLACEMENT_COLUMNS, placements)
    # The candidates themselves are announced (they are the versions as stored).
    versions = [cand for cand, _producer in ordered]
    write.stored.append((channel.id, versions))
    write.hooks.announce_stored(
        ObjectsStored(write, viewer, channel.id, (first, first + len(ordered) - 1), versions, new)
    )


_LAST_DATE_ADDED: Final = select(func.max(channel_objects.c.date_added)).where(
    channel_objects.c.channel_id == bindparam("channel_id")
)


def _first_date_added(conn: Connection, channel_id: int) -> int:
    """The date_added of this write's first placement: now, and after the channel's last."""
    last = conn.execute(_LAST_DATE_ADDED, {"channel_id": channel_id}).scalar()
    return max(now_micros(), (last or 0) + 1)


def _dated(
    conn: Connection, channel: Channel, placed: list[tuple[Candidate, int]]
) -> list[tuple[Candidate, int]]:
    """Order an envelope's placements from the most public to the most restricted."""
    default = int(channel.default_tlp)
    own_levels = [
        default if c.handling.tlp is None else int(c.handling.tlp) for c, _producer in placed
    ]
    made_of = [c.inputs for c, _producer in placed if c.inputs]
    if not made_of and len(set(own_levels)) <= 1 and Tlp.RED not in own_levels:
        return placed  # all equally public (the common envelope): their order stands
    own = {c.stix_id: level for (c, _producer), level in zip(placed, own_levels, strict=True)}
    outside = sorted({ref for inputs in made_of for ref in inputs if ref not in own})
    levels = {**_stored_levels(conn, outside), **own}
    publicity = [
        _publicity(c, level, levels) for (c, _), level in zip(placed, own_levels, strict=True)
    ]
    # sorted() is stable: equally public placements keep the envelope's order.
    order = sorted(range(len(placed)), key=publicity.__getitem__)
    return [placed[index] for index in order]


def _publicity(cand: Candidate, level: int, levels: dict[str, int]) -> tuple[int, tuple[str, ...]]:
    """How widely a placement may be seen: its own TLP LEVEL raised to that of what it is
    made of, then (for TLP:RED) who it names; smaller is more public."""
    for ref in cand.inputs:
        level = max(level, levels.get(ref, 0))
    named = tuple(sorted(cand.handling.recipients)) if level == Tlp.RED else ()
    return (level, named)


def _stored_levels(conn: Connection, stix_ids: list[str]) -> dict[str, int]:
    """The strictest TLP each stored object is placed under, anywhere."""
    found: dict[str, int] = {}
    for chunk in chunked(stix_ids):
        rows = conn.execute(
            select(channel_objects.c.stix_id, func.max(channel_objects.c.tlp).label("tlp"))
            .where(channel_objects.c.stix_id.in_(chunk))
            .group_by(channel_objects.c.stix_id)
        )
        found.update({row.stix_id: int(row.tlp) for row in rows})
    return found


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


def _object_row(cand: Candidate, producer_org_id: int) -> tuple[Any, ...]:
    handling = cand.handling
    return (
        cand.stix_id,
        cand.version,
        cand.type,
        cand.spec_version,
        cand.revoked,
        producer_org_id,
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
    "shown_version",
    "type",
    "spec_version",
    "date_added",
    "added_by",
)


def _placement_row(
    cand: Candidate, channel: Channel, viewer: Viewer, date_added: int, producer_org_id: int
) -> tuple[Any, ...]:
    own = cand.handling.tlp
    tlp = int(own) if own is not None else int(channel.default_tlp)
    return (
        tlp,
        own is None,
        tlp <= Tlp.AMBER,
        producer_org_id,
        channel.id,
        cand.stix_id,
        cand.version,
        cand.shown_version,
        cand.type,
        cand.spec_version,
        date_added,
        viewer.user_id,
    )


def _record_status(
    conn: Connection, viewer: Viewer, channel: Channel, result: IngestResult
) -> None:
    # TAXII 2.1 (section 4.3.1) forbids empty lists in a status resource: omit them.
    details = {
        "successes": [v.as_status_entry() for v in result.successes],
        "failures": [v.as_status_entry() for v in result.failures],
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
