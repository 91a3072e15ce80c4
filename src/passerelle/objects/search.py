"""Searching what a viewer may see: words in names, descriptions, observables and
patterns, with filters on type, channel, TLP, producer and the date an object was added.

One more shape of read beside :mod:`.queries` (pages of a channel) and :mod:`.latest`
(some ids): every placement it reads passes
:func:`passerelle.policy.visibility.visible_placement`, and only the newest version of an
object the viewer may see is searched, so a word found only in a version hidden from
them finds nothing. The words of an object withheld from the viewer under H3 are never
searched (its content is not theirs until they acknowledge its restriction).

The words are looked up in the search index (:mod:`.search_index`: FTS5 on SQLite,
pg_trgm on PostgreSQL), which gives the versions holding them whoever may see them; those
candidates then pass the same visibility rule, and the exact test on their texts.

Results come newest first, by the latest date the viewer's visible placements of an
object were added, then by id; the ``next`` token holds only the key of the last result
the viewer was given, and no count covers anything they may not see.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

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
)

from passerelle.errors import BadInput
from passerelle.objects.latest import bodies_of
from passerelle.objects.search_index import SEARCHED, holding, texts_of, words_asked
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import placement_rule
from passerelle.policy.withholding import h3_pending, withheld_seen
from passerelle.stix.markings import Tlp
from passerelle.store.search_tables import object_texts

# The properties a result's name is taken from, in this order.
NAMED_BY: Final = SEARCHED[:5]
MAX_NAME: Final = 200
_BATCH: Final = 100
_MAX_MICROS: Final = 2**63


@dataclass(frozen=True)
class SearchFilter:
    """What a search asks for; every part narrows it, none widens what may be seen."""

    text: str = ""
    types: Sequence[str] = ()
    channel_ids: Sequence[int] | None = None
    tlp: Tlp | None = None
    producer_org_id: int | None = None
    added_from: int | None = None
    added_until: int | None = None


@dataclass(frozen=True)
class SearchCursor:
    """Where the next page of results starts: the key of the last result given."""

    added: int
    stix_id: str

    def token(self) -> str:
        """Encode as an opaque ``next`` token."""
        raw = f"{self.added}|{self.stix_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str | None) -> SearchCursor | None:
        """Decode a token this server gave ('' or None: the first page)."""
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            added, stix_id = raw.split("|")
            if not added.isdigit() or int(added) >= _MAX_MICROS or "--" not in stix_id:
                raise ValueError(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"next is not a token this server gave: {token[:60]!r}") from exc
        return cls(int(added), stix_id)


@dataclass(frozen=True)
class Found:
    """One object found, in the newest version the viewer may see."""

    stix_id: str
    version: str
    type: str
    added: int
    name: str = ""
    withheld: bool = False


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the token of the next one (None: this is the last)."""

    found: list[Found] = field(default_factory=list)
    next: str | None = None


def name_of(body: dict[str, Any]) -> str:
    """Return what names an object for people: its name, value, pattern or abstract."""
    for prop in NAMED_BY:
        value = body.get(prop)
        if isinstance(value, str) and value:
            return value[:MAX_NAME]
    return ""


def _words_in(text: str, body: dict[str, Any]) -> bool:
    texts = [t.casefold() for t in texts_of(body)]
    return all(any(w in t for t in texts) for w in words_asked(text))


def _matches(dialect: str, viewer: Viewer, flt: SearchFilter) -> Select[Any]:
    """The objects matching the filter in the newest version the viewer may see, with the
    latest date one of their matching visible placements was added."""
    placement, newest = _newest_seen(viewer)
    conditions = list(newest)
    if flt.types:
        conditions.append(placement.c.type.in_(list(flt.types)))
    if flt.channel_ids is not None:
        conditions.append(placement.c.channel_id.in_(list(flt.channel_ids)))
    if flt.tlp is not None:
        conditions.append(placement.c.tlp == int(flt.tlp))
    if flt.producer_org_id is not None:
        conditions.append(placement.c.producer_org_id == flt.producer_org_id)
    if flt.added_from is not None:
        conditions.append(placement.c.date_added >= flt.added_from)
    if flt.added_until is not None:
        conditions.append(placement.c.date_added < flt.added_until)
    query = select(
        placement.c.stix_id,
        func.max(placement.c.version).label("version"),
        func.max(placement.c.type).label("type"),
        func.max(placement.c.date_added).label("added"),
    )
    words = words_asked(flt.text)
    if words:
        conditions.append(~h3_pending(viewer, placement.c.stix_id, placement.c.version))
        # The index gives the versions holding the words; the visibility rule, costly per
        # placement, is then weighed only for their placements.
        query = query.join(
            object_texts,
            and_(
                object_texts.c.stix_id == placement.c.stix_id,
                object_texts.c.version == placement.c.version,
            ),
        )
        conditions += holding(dialect, words)
    return query.where(*conditions).group_by(placement.c.stix_id)


@functools.lru_cache(maxsize=256)
def _newest_seen(viewer: Viewer) -> tuple[FromClause, tuple[ColumnElement[bool], ...]]:
    """The placements the viewer may see of the newest version they may see (built once
    per viewer: the rules cost more to build than to run)."""
    placement, visible = placement_rule(viewer, "found_placement")
    newer, newer_visible = placement_rule(viewer, "newer_placement")
    newest = ~exists().where(
        newer.c.stix_id == placement.c.stix_id,
        newer.c.version > placement.c.version,
        newer_visible,
    )
    return placement, (visible, newest)


def search(
    conn: Connection,
    viewer: Viewer,
    flt: SearchFilter,
    limit: int,
    after: SearchCursor | None = None,
) -> SearchPage:
    """Return one page of the objects the viewer may see that match the filter."""
    inner = _matches(conn.dialect.name, viewer, flt).subquery()
    ordered = select(inner).order_by(inner.c.added.desc(), inner.c.stix_id.desc())
    found: list[Found] = []
    more = False
    last = after
    while not more:
        query = ordered
        if last is not None:
            query = query.where(
                or_(
                    inner.c.added < last.added,
                    and_(inner.c.added == last.added, inner.c.stix_id < last.stix_id),
                )
            )
        rows = conn.execute(query.limit(_BATCH)).all()
        kept = _described(conn, viewer, flt.text, rows)
        for row in rows:
            if row.stix_id not in kept:
                last = SearchCursor(row.added, row.stix_id)
                continue
            if len(found) == limit:
                more = True
                break
            found.append(kept[row.stix_id])
            last = SearchCursor(row.added, row.stix_id)
        if len(rows) < _BATCH:
            break
    return SearchPage(found, last.token() if more and last else None)


def _described(
    conn: Connection, viewer: Viewer, text: str, rows: Sequence[Any]
) -> dict[str, Found]:
    """Name the rows' objects; with words asked for, keep those whose searched texts hold
    every word."""
    withheld = withheld_seen(conn, viewer, [row.stix_id for row in rows])
    bodies = bodies_of(conn, {r.stix_id: r.version for r in rows if r.stix_id not in withheld})
    kept: dict[str, Found] = {}
    for row in rows:
        body = bodies.get(row.stix_id, {})
        if words_asked(text) and (row.stix_id in withheld or not _words_in(text, body)):
            continue
        name = "" if row.stix_id in withheld else name_of(body)
        hidden = row.stix_id in withheld
        kept[row.stix_id] = Found(row.stix_id, row.version, row.type, row.added, name, hidden)
    return kept
