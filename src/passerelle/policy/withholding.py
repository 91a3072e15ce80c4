"""Content withheld until read: the H3 restriction of the versions a viewer may see.

A version that carries handling code H3 shows none of its content (name, pattern, text,
nor anything derived from them: keys, names learnt, facts, match reasons) to a viewer
who has not acknowledged the object's restriction, on every path, as TAXII withholds
it. The object itself may be listed, marked as withheld.

Only versions the viewer may see count: a version hidden from them withholds nothing
from them (and so tells them nothing of itself).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    select,
)

from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.stix.markings import HandlingCode
from passerelle.store.chunks import chunked
from passerelle.store.schema import acknowledgements, channel_objects, objects


def h3_pending(viewer: Viewer, stix_id: Any, version: Any) -> ColumnElement[bool]:
    """The version carries an H3 restriction the viewer has not acknowledged."""
    restricted = objects.alias()
    return exists().where(
        restricted.c.stix_id == stix_id,
        restricted.c.version == version,
        restricted.c.handling_codes.op("&")(int(HandlingCode.H3)) != 0,
        ~exists().where(
            acknowledgements.c.user_id == viewer.user_id,
            acknowledgements.c.stix_id == stix_id,
        ),
    )


def withheld_seen(conn: Connection, viewer: Viewer, stix_ids: Iterable[str]) -> set[str]:
    """Return the objects among these of which a version the viewer may see carries an
    H3 restriction they have not acknowledged: none of their content may be shown."""
    found: set[str] = set()
    for chunk in chunked(sorted(set(stix_ids))):
        found.update(conn.execute(_withheld_among(viewer), {"ids": list(chunk)}).scalars())
    return found


# The statement too, and its cache key with it: both cost more than running it.
@functools.lru_cache(maxsize=256)
def _withheld_among(viewer: Viewer) -> Select[Any]:
    placement, pending = _pending_seen(viewer)
    return (
        select(placement.c.stix_id)
        .where(placement.c.stix_id.in_(bindparam("ids", expanding=True)), pending)
        .distinct()
    )


# Built once per viewer: visible_placement costs more to build than the query to run.
@functools.lru_cache(maxsize=256)
def _pending_seen(viewer: Viewer) -> tuple[FromClause, ColumnElement[bool]]:
    placement = channel_objects.alias()
    pending = and_(
        visible_placement(viewer, placement),
        h3_pending(viewer, placement.c.stix_id, placement.c.version),
    )
    return placement, pending
