"""The newest version of objects as a viewer may see them.

Every feature that needs "the latest version of these ids" asks here, so the rule of who
sees which version is applied in one place (:func:`passerelle.policy.visibility.
visible_placement`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.policy.withholding import h3_pending
from passerelle.store.chunks import ID_CHUNK, chunked
from passerelle.store.schema import channel_objects, channels, objects


@dataclass(frozen=True)
class Placed:
    """One version of an object as the viewer sees it placed in a channel."""

    version: str
    shown_version: str
    channel: str
    date_added: int
    tlp: int


def latest_visible_versions(
    conn: Connection, viewer: Viewer, stix_ids: Iterable[str]
) -> dict[str, str]:
    """Return, for each object the viewer may see, the newest version they may see."""
    placement = channel_objects.alias("placement")
    found: dict[str, str] = {}
    for chunk in chunked(sorted(set(stix_ids))):
        rows = conn.execute(
            select(placement.c.stix_id, placement.c.version)
            .where(placement.c.stix_id.in_(chunk), visible_placement(viewer, placement))
            .distinct()
        )
        for stix_id, version in rows:
            found[stix_id] = max(version, found.get(stix_id, ""))
    return found


def visible_ids(conn: Connection, viewer: Viewer, stix_ids: Iterable[str]) -> set[str]:
    """Return which of these objects the viewer may see (some version, some channel)."""
    return set(latest_visible_versions(conn, viewer, stix_ids))


def visible_placements(conn: Connection, viewer: Viewer, stix_id: str) -> list[Placed]:
    """Return every placement of an object's versions the viewer may see, newest first."""
    placement = channel_objects.alias("placement")
    rows = conn.execute(
        select(
            placement.c.version,
            placement.c.shown_version,
            channels.c.title,
            placement.c.date_added,
            placement.c.tlp,
        )
        .join(channels, channels.c.id == placement.c.channel_id)
        .where(placement.c.stix_id == stix_id, visible_placement(viewer, placement))
        .order_by(placement.c.version.desc(), channels.c.title)
    )
    return [Placed(*row) for row in rows]


def latest_visible_bodies(
    conn: Connection, viewer: Viewer, stix_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Return the newest version the viewer may see of each object, parsed."""
    return bodies_of(conn, latest_visible_versions(conn, viewer, stix_ids))


def bodies_of(conn: Connection, versions: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Return the parsed body of each (id -> version), one query per chunk of ids."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunked(sorted(versions)):
        rows = conn.execute(
            select(objects.c.stix_id, objects.c.version, objects.c.body).where(
                objects.c.stix_id.in_(chunk),
                objects.c.version.in_(sorted({versions[i] for i in chunk})),
            )
        )
        for row in rows:
            if versions[row.stix_id] == row.version:
                found[row.stix_id] = orjson.loads(row.body)
    return found


def readable_version_batches(
    conn: Connection, viewer: Viewer, size: int = ID_CHUNK
) -> Iterator[list[Any]]:
    """Walk every object version whose content the viewer may read (they may see it, and
    it carries no H3 restriction they have not acknowledged), in (id, version) order, as
    batches of rows (stix_id, version, body): what a new watch looks back over."""
    placement = channel_objects.alias("placement")
    seen = (
        select(placement.c.stix_id)
        .where(
            placement.c.stix_id == objects.c.stix_id,
            placement.c.version == objects.c.version,
            visible_placement(viewer, placement),
        )
        .exists()
    )
    after: tuple[str, str] = ("", "")
    while True:
        query = select(objects.c.stix_id, objects.c.version, objects.c.body).where(
            (objects.c.stix_id > after[0])
            | ((objects.c.stix_id == after[0]) & (objects.c.version > after[1])),
            seen,
            ~h3_pending(viewer, objects.c.stix_id, objects.c.version),
        )
        batch = list(conn.execute(query.order_by(objects.c.stix_id, objects.c.version).limit(size)))
        if not batch:
            return
        yield batch
        after = (batch[-1].stix_id, batch[-1].version)
