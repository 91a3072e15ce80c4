"""Reading objects out of a channel: TAXII filters, versions and cursor pagination.

Pages follow ``seq``, which a channel assigns in commit order; the ``next`` token is the
last seq served, so objects added between two pages never shift or repeat what a client
has already read. Every query goes through :func:`passerelle.policy.visibility.visible_in_channel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    true,
)

from passerelle.errors import BadInput
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import ChannelAccess, channel_access, visible_in_channel
from passerelle.stix.markings import Handling, HandlingCode, Pap, Tlp
from passerelle.stix.timestamps import micros_to_text, text_to_micros, version_key
from passerelle.store.schema import acknowledgements, channel_objects, objects, statuses, users

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


@dataclass(frozen=True)
class ObjectFilter:
    """The TAXII ``added_after`` and ``match[...]`` filters of one request."""

    added_after: int | None = None
    ids: Sequence[str] = ()
    types: Sequence[str] = ()
    versions: Sequence[str] = ("last",)
    spec_versions: Sequence[str] = ()
    # Bulk paths (export, federation) never carry what is above this level.
    max_tlp: Tlp | None = None

    @classmethod
    def parse(
        cls,
        added_after: str | None = None,
        ids: str | None = None,
        types: str | None = None,
        versions: str | None = None,
        spec_versions: str | None = None,
        default_version: str = "last",
    ) -> ObjectFilter:
        """Build a filter from the raw query-string values, rejecting malformed ones."""
        after = None
        if added_after is not None:
            try:
                after = text_to_micros(added_after)
            except ValueError as exc:
                raise BadInput(f"added_after is not a timestamp: {added_after[:60]!r}") from exc
        wanted = _split(versions) or [default_version]
        for value in wanted:
            if value not in ("first", "last", "all"):
                try:
                    version_key(value)
                except ValueError as exc:
                    raise BadInput(
                        f"match[version] takes first, last, all or timestamps, not {value[:60]!r}"
                    ) from exc
        return cls(after, _split(ids), _split(types), wanted, _split(spec_versions))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


@dataclass(frozen=True)
class Entry:
    """One version of one object as placed in a channel."""

    seq: int
    stix_id: str
    version: str
    date_added: int
    body: str = ""

    @property
    def date_added_text(self) -> str:
        """Return date_added as a TAXII timestamp."""
        return micros_to_text(self.date_added)

    @property
    def version_text(self) -> str:
        """Return the version as TAXII shows it (date_added for timeless objects)."""
        return self.version or self.date_added_text

    def manifest_record(self) -> dict[str, str]:
        """Render as a TAXII manifest record."""
        return {
            "id": self.stix_id,
            "date_added": self.date_added_text,
            "version": self.version_text,
            "media_type": STIX_MEDIA_TYPE,
        }


@dataclass(frozen=True)
class Withheld:
    """An object the viewer may see but must first acknowledge (handling code H3)."""

    stix_id: str
    text: str


@dataclass(frozen=True)
class Page:
    """One page of entries, whether more follow, and what was withheld until acknowledged."""

    entries: list[Entry] = field(default_factory=list)
    more: bool = False
    last_seq: int = 0
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def next(self) -> str | None:
        """Return the token that asks for the following page."""
        return str(self.last_seq) if self.more else None


def parse_cursor(token: str | None) -> int:
    """Turn a ``next`` token back into a seq."""
    if token is None:
        return 0
    if not token.isdigit() or len(token) > 19:
        raise BadInput(f"next is not a token this server gave: {token[:60]!r}")
    return int(token)


def _version_condition(
    viewer: Viewer, placement: FromClause, access: ChannelAccess, wanted: Sequence[str]
) -> ColumnElement[bool]:
    if "all" in wanted:
        return true()
    other = channel_objects.alias("other_version")
    same_object = and_(
        visible_in_channel(viewer, other, access), other.c.stix_id == placement.c.stix_id
    )
    conditions: list[ColumnElement[bool]] = []
    if "last" in wanted:
        conditions.append(~exists().where(same_object, other.c.version > placement.c.version))
    if "first" in wanted:
        conditions.append(~exists().where(same_object, other.c.version < placement.c.version))
    stamps = [version_key(v) for v in wanted if v not in ("first", "last")]
    if stamps:
        conditions.append(placement.c.version.in_(stamps))
    return or_(*conditions)


def _select_entries(
    viewer: Viewer, access: ChannelAccess, flt: ObjectFilter, with_bodies: bool
) -> Select[Any]:
    co = channel_objects.alias("placement")
    columns = [co.c.seq, co.c.stix_id, co.c.version, co.c.date_added]
    query = select(*columns)
    if with_bodies:
        acknowledged = exists().where(
            acknowledgements.c.user_id == viewer.user_id,
            acknowledgements.c.stix_id == co.c.stix_id,
        )
        query = select(
            *columns,
            objects.c.body,
            objects.c.h3_text,
            (objects.c.handling_codes.op("&")(int(HandlingCode.H3)) != 0).label("h3"),
            acknowledged.label("acknowledged"),
        ).join(objects, and_(objects.c.stix_id == co.c.stix_id, objects.c.version == co.c.version))
    query = query.where(visible_in_channel(viewer, co, access))
    if flt.added_after is not None:
        query = query.where(co.c.date_added > flt.added_after)
    if flt.ids:
        query = query.where(co.c.stix_id.in_(list(flt.ids)))
    if flt.types:
        query = query.where(co.c.type.in_(list(flt.types)))
    if flt.spec_versions:
        query = query.where(co.c.spec_version.in_(list(flt.spec_versions)))
    if flt.max_tlp is not None:
        query = query.where(co.c.tlp <= int(flt.max_tlp))
    return query.where(_version_condition(viewer, co, access, flt.versions)).order_by(co.c.seq)


def entries_page(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    flt: ObjectFilter,
    limit: int,
    after_seq: int = 0,
    with_bodies: bool = True,
) -> Page:
    """Return one page of the channel's entries that match the filter and the viewer may see."""
    if flt.added_after is not None:
        after_seq = max(after_seq, _last_seq_added_by(conn, channel, flt.added_after))
    access = channel_access(conn, viewer, channel.id)
    query = _select_entries(viewer, access, flt, with_bodies)
    query = query.where(query.selected_columns.seq > after_seq).limit(limit + 1)
    rows = conn.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    entries: list[Entry] = []
    withheld: list[Withheld] = []
    for r in rows:
        if with_bodies and r.h3 and not r.acknowledged:
            withheld.append(Withheld(r.stix_id, r.h3_text))
        else:
            entries.append(
                Entry(r.seq, r.stix_id, r.version, r.date_added, r.body if with_bodies else "")
            )
    return Page(entries, more, rows[-1].seq if rows else after_seq, withheld)


def _last_seq_added_by(conn: Connection, channel: Channel, moment: int) -> int:
    # date_added rises strictly with seq within a channel (both are assigned under the
    # channel's write lock), so "added after t" starts right after the last seq added by
    # t: one index lookup instead of a scan that filters on date_added.
    found = conn.execute(
        select(func.max(channel_objects.c.seq)).where(
            channel_objects.c.channel_id == channel.id, channel_objects.c.date_added <= moment
        )
    ).scalar()
    return int(found or 0)


def object_entries(
    conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter
) -> list[Entry]:
    """Return every entry matching the filter, without bodies (for deletion and checks)."""
    return list(entries_page(conn, viewer, channel, flt, 1_000_000, 0, False).entries)


def producers_of(conn: Connection, entries: Sequence[Entry]) -> set[int]:
    """Return the producer organisations of these object versions."""
    keys = {(e.stix_id, e.version) for e in entries}
    if not keys:
        return set()
    ids = sorted({k[0] for k in keys})
    rows = conn.execute(
        select(objects.c.stix_id, objects.c.version, objects.c.producer_org_id).where(
            objects.c.stix_id.in_(ids)
        )
    )
    return {r.producer_org_id for r in rows if (r.stix_id, r.version) in keys}


def status_of(conn: Connection, viewer: Viewer, status_id: str) -> dict[str, Any] | None:
    """Return a TAXII status resource if the viewer's organisation made the request."""
    row = conn.execute(
        select(statuses)
        .join(users, users.c.id == statuses.c.user_id)
        .where(statuses.c.id == status_id, users.c.org_id == viewer.org_id)
    ).first()
    if row is None:
        return None
    details = orjson.loads(row.details)
    return {
        "id": row.id,
        "status": "complete" if row.pending_count == 0 else "pending",
        "request_timestamp": micros_to_text(row.request_timestamp),
        "total_count": row.total_count,
        "success_count": row.success_count,
        "successes": details["successes"],
        "failure_count": row.failure_count,
        "failures": details["failures"],
        "pending_count": row.pending_count,
        "pendings": details["pendings"],
    }


def handling_summary(
    conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter
) -> Handling:
    """Return the most restrictive handling of what the filter selects for the viewer."""
    co = channel_objects.alias("placement")
    access = channel_access(conn, viewer, channel.id)
    codes = objects.c.handling_codes
    query = (
        select(
            func.max(co.c.tlp).label("tlp"),
            func.max(objects.c.pap).label("pap"),
            *(
                func.max(codes.op("&")(int(code))).label(code.name or "")
                for code in HandlingCode
                if code
            ),
        )
        .join(objects, and_(objects.c.stix_id == co.c.stix_id, objects.c.version == co.c.version))
        .where(visible_in_channel(viewer, co, access))
        .where(_version_condition(viewer, co, access, flt.versions))
    )
    if flt.max_tlp is not None:
        query = query.where(co.c.tlp <= int(flt.max_tlp))
    row = conn.execute(query).one()
    found = HandlingCode.NONE
    for code in HandlingCode:
        if code and getattr(row, code.name or ""):
            found |= code
    return Handling(
        tlp=None if row.tlp is None else Tlp(row.tlp),
        pap=None if row.pap is None else Pap(row.pap),
        codes=found,
    )


def restricted_ids(
    conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter, code: HandlingCode
) -> list[str]:
    """Return ids of selected objects, produced by other organisations, that carry a code."""
    co = channel_objects.alias("placement")
    access = channel_access(conn, viewer, channel.id)
    query = (
        select(co.c.stix_id)
        .distinct()
        .join(objects, and_(objects.c.stix_id == co.c.stix_id, objects.c.version == co.c.version))
        .where(visible_in_channel(viewer, co, access))
        .where(_version_condition(viewer, co, access, flt.versions))
        .where(objects.c.handling_codes.op("&")(int(code)) != 0)
        .where(co.c.producer_org_id != viewer.org_id)
    )
    if flt.max_tlp is not None:
        query = query.where(co.c.tlp <= int(flt.max_tlp))
    return sorted(r.stix_id for r in conn.execute(query))
