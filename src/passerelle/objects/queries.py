"""Reading objects out of a channel: TAXII filters, versions and cursor pagination.

Pages follow the key (date_added, id, version). date_added rises strictly from one
placement to the next within a channel (it is assigned under the channel's write lock),
so objects added between two pages never shift or repeat what a client has read, and a
client that pages with ``added_after`` loses nothing either. The ``next`` token holds
only the key of the last object the viewer was given: nothing in it, nor in any header,
counts what the viewer may not see. Every query goes through
:func:`passerelle.policy.visibility.visible_in_channel`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)

from passerelle.errors import BadInput
from passerelle.objects.rendering import served_body
from passerelle.policy.directory import Channel
from passerelle.policy.ownership import COPY_MARK, copy_holder, owners_of
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import ChannelAccess, channel_access, visible_in_channel
from passerelle.stix.markings import Handling, HandlingCode, Pap, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.stix.timestamps import micros_to_text, text_to_micros, version_key
from passerelle.store.chunks import ID_CHUNK
from passerelle.store.database import Database
from passerelle.store.schema import (
    acknowledgements,
    channel_objects,
    objects,
    organisations,
    statuses,
    users,
)

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
# date_added is a signed 64-bit count of microseconds: a token beyond it was not ours.
_MAX_MICROS = 2**63


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

    stix_id: str
    version: str
    date_added: int
    body: str = ""
    # The version as its producer wrote it ('' for an object without timestamps).
    shown_version: str = ""

    @property
    def date_added_text(self) -> str:
        """Return date_added as a TAXII timestamp."""
        return micros_to_text(self.date_added)

    @property
    def version_text(self) -> str:
        """Return the version as TAXII shows it: 'modified' as written (section 3.4), or
        date_added for an object without timestamps."""
        return self.shown_version or self.date_added_text

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
class Cursor:
    """The position after which the next page starts: the key of the last row served."""

    date_added: int
    stix_id: str
    version: str

    def token(self) -> str:
        """Encode as an opaque ``next`` token."""
        raw = f"{self.date_added}|{self.stix_id}|{self.version}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """Decode a ``next`` token this server gave."""
        if token is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            added, stix_id, version = raw.split("|")
            if not added.isdigit() or int(added) >= _MAX_MICROS or "--" not in stix_id:
                raise ValueError(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"next is not a token this server gave: {token[:60]!r}") from exc
        return cls(int(added), stix_id, version)


@dataclass(frozen=True)
class Page:
    """One page of entries, whether more follow, and what was withheld until acknowledged."""

    entries: list[Entry] = field(default_factory=list)
    more: bool = False
    last: Cursor | None = None
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def next(self) -> str | None:
        """Return the token that asks for the following page."""
        return self.last.token() if self.more and self.last else None


# Built once (an alias copies every column of its table when built): the placement a
# query reads, and another version of the same object tested inside it.
_PLACEMENT: Final = channel_objects.alias("placement")
_OTHER_VERSION: Final = channel_objects.alias("other_version")


def _version_condition(
    viewer: Viewer, placement: FromClause, access: ChannelAccess, wanted: Sequence[str]
) -> ColumnElement[bool]:
    if "all" in wanted:
        return true()
    other = _OTHER_VERSION
    same_object = and_(
        visible_in_channel(viewer, other, access, lookup=True),
        other.c.stix_id == placement.c.stix_id,
    )
    conditions: list[ColumnElement[bool]] = []
    if "last" in wanted:
        conditions.append(~exists().where(same_object, other.c.version > placement.c.version))
    if "first" in wanted:
        conditions.append(~exists().where(same_object, other.c.version < placement.c.version))
    stamps = [version_key(v) for v in wanted if v not in ("first", "last")]
    if stamps:
        conditions.append(placement.c.version.in_(stamps))
        # The same version kept as an organisation's own copy (policy.ownership).
        conditions += [
            placement.c.version.startswith(v + COPY_MARK, autoescape=True) for v in stamps
        ]
    return or_(*conditions)


def _select_entries(
    viewer: Viewer, access: ChannelAccess, flt: ObjectFilter, with_bodies: bool
) -> Select[Any]:
    co = _PLACEMENT
    columns = [co.c.stix_id, co.c.version, co.c.date_added, co.c.shown_version]
    query = select(*columns)
    if with_bodies:
        acknowledged = exists().where(
            acknowledgements.c.user_id == viewer.user_id,
            acknowledgements.c.stix_id == co.c.stix_id,
        )
        query = select(
            *columns,
            co.c.tlp,
            co.c.tlp_defaulted,
            co.c.producer_org_id,
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
    query = query.where(_version_condition(viewer, co, access, flt.versions))
    return query.order_by(co.c.date_added, co.c.stix_id, co.c.version)


def _after(query: Select[Any], cursor: Cursor) -> Select[Any]:
    added = query.selected_columns.date_added
    key = tuple_(query.selected_columns.stix_id, query.selected_columns.version)
    # The >= on date_added alone gives the index its range; the rest orders within it.
    return query.where(
        added >= cursor.date_added,
        or_(
            added > cursor.date_added,
            key > tuple_(literal(cursor.stix_id), literal(cursor.version)),
        ),
    )


def entries_page(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    flt: ObjectFilter,
    limit: int,
    after: Cursor | None = None,
    with_bodies: bool = True,
) -> Page:
    """Return one page of the channel's entries that match the filter and the viewer may see.

    A page holds ``limit`` entries whenever that many remain: entries withheld until the
    viewer acknowledges their H3 restriction are reported beside it, not counted in it.
    """
    access = channel_access(conn, viewer, channel.id)
    if after is not None:
        # The cursor's row passed added_after, so every row after it does too; keeping
        # both bounds lets SQLite start its index range at the looser one.
        flt = replace(flt, added_after=None)
    base = _select_entries(viewer, access, flt, with_bodies)
    entries: list[Entry] = []
    withheld: list[Withheld] = []
    authors = _Authors(conn)
    last = after
    while True:
        wanted = limit - len(entries)
        query = base if last is None else _after(base, last)
        rows = conn.execute(query.limit(wanted + 1)).all()
        for r in rows[:wanted]:
            last = Cursor(r.date_added, r.stix_id, r.version)
            if with_bodies and r.h3 and not r.acknowledged:
                withheld.append(Withheld(r.stix_id, r.h3_text))
            elif with_bodies:
                body = served_body(r.body, r.tlp, r.tlp_defaulted, authors.of(r.producer_org_id))
                entries.append(Entry(r.stix_id, r.version, r.date_added, body, r.shown_version))
            else:
                entries.append(Entry(r.stix_id, r.version, r.date_added, "", r.shown_version))
        more = len(rows) > wanted
        if not more or len(entries) == limit:
            break
    return Page(entries, more, last, withheld)


class _Authors:
    """The identity of each producing organisation met on a page, looked up once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._known: dict[int, str] = {}

    def of(self, org_id: int) -> str:
        """Return the id of the identity standing for an organisation."""
        known = self._known.get(org_id)
        if known is None:
            name = self._conn.execute(
                select(organisations.c.name).where(organisations.c.id == org_id)
            ).scalar_one()
            known = self._known[org_id] = organisation_identity_id(name)
        return known


def object_entries(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    flt: ObjectFilter,
    limit: int = 1_000_000,
) -> list[Entry]:
    """Return the entries matching the filter, without bodies (for deletion and checks)."""
    return list(entries_page(conn, viewer, channel, flt, limit, None, False).entries)


def owners_of_versions(conn: Connection, entries: Sequence[Entry]) -> set[int]:
    """Return the organisations that own these object versions: the holder of a copy,
    else the organisation that stored the object first (never whoever made a version)."""
    owners = owners_of(conn, {e.stix_id for e in entries})
    found: set[int] = set()
    for entry in entries:
        holder = copy_holder(entry.version)
        owner = holder if holder is not None else owners.get(entry.stix_id)
        if owner is not None:
            found.add(owner)
    return found


def status_of(conn: Connection, viewer: Viewer, status_id: str) -> dict[str, Any] | None:
    """Return a TAXII status resource if the viewer's organisation made the request.

    A status lists what was stored, so auditors, who read no content, never see one.
    """
    if viewer.role is Role.AUDITOR:
        return None
    row = conn.execute(
        select(statuses)
        .join(users, users.c.id == statuses.c.user_id)
        .where(statuses.c.id == status_id, users.c.org_id == viewer.org_id)
    ).first()
    if row is None:
        return None
    details = orjson.loads(row.details)
    return status_resource(
        row.id, row.request_timestamp, row.total_count, details["successes"], details["failures"]
    )


def status_resource(
    status_id: str,
    request_timestamp: int,
    total: int,
    successes: list[dict[str, str]],
    failures: list[dict[str, str]],
) -> dict[str, Any]:
    """Render a TAXII 2.1 status resource (every envelope is processed before answering).

    TAXII 2.1 (section 4.3.1) forbids empty lists: a list with nothing in it is omitted.
    """
    resource: dict[str, Any] = {
        "id": status_id,
        "status": "complete",
        "request_timestamp": micros_to_text(request_timestamp),
        "total_count": total,
        "success_count": len(successes),
        "failure_count": len(failures),
        "pending_count": 0,
    }
    if successes:
        resource["successes"] = successes
    if failures:
        resource["failures"] = failures
    return resource


def handling_summary(
    conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter
) -> Handling:
    """Return the most restrictive handling of what the filter selects for the viewer."""
    co = _PLACEMENT
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
    co = _PLACEMENT
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


def stored_version_batches(
    database: Database, types: Sequence[str] = (), size: int = ID_CHUNK
) -> Iterator[list[Any]]:
    """Walk every stored object version (of some types only, if given) in (id, version)
    order, one batch of rows (stix_id, version, body) per short read transaction, so
    maintenance work between batches never holds the database for long."""
    after: tuple[str, str] = ("", "")
    while True:
        query = select(objects.c.stix_id, objects.c.version, objects.c.body).where(
            (objects.c.stix_id > after[0])
            | ((objects.c.stix_id == after[0]) & (objects.c.version > after[1]))
        )
        if types:
            query = query.where(objects.c.type.in_(sorted(types)))
        with database.read() as conn:
            batch = list(
                conn.execute(query.order_by(objects.c.stix_id, objects.c.version).limit(size))
            )
        if not batch:
            return
        yield batch
        after = (batch[-1].stix_id, batch[-1].version)
