"""The newest version of objects as a viewer may see them.

Every feature that needs "the latest version of these ids" asks here, so the rule of who
sees which version is applied in one place (:func:`passerelle.policy.visibility.
visible_placement`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Connection, Select, bindparam, select

from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import placement_rule, visible_placement
from passerelle.policy.withholding import h3_pending
from passerelle.store.chunks import ID_CHUNK, chunked
from passerelle.store.schema import channel_objects, channels, objects

# Statements kept per viewer (each holds the viewer's visibility rule).
_STATEMENTS_KEPT: Final = 256


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
    found: dict[str, str] = {}
    for chunk in chunked(sorted(set(stix_ids))):
        rows = conn.execute(_visible_versions(viewer), {"ids": list(chunk)})
        for stix_id, version in rows:
            found[stix_id] = max(version, found.get(stix_id, ""))
    return found


@functools.lru_cache(maxsize=_STATEMENTS_KEPT)
def _visible_versions(viewer: Viewer) -> Select[Any]:
    # Built once per viewer, its cache key with it: both cost more than running it.
    placement, visible = placement_rule(viewer, "latest_placement")
    return (
        select(placement.c.stix_id, placement.c.version)
        .where(placement.c.stix_id.in_(bindparam("ids", expanding=True)), visible)
        .distinct()
    )


def visible_ids(conn: Connection, viewer: Viewer, stix_ids: Iterable[str]) -> set[str]:
    """Return which of these objects the viewer may see (some version, some channel)."""
    return set(latest_visible_versions(conn, viewer, stix_ids))


def visible_placements(conn: Connection, viewer: Viewer, stix_id: str) -> list[Placed]:
    """Return every placement of an object's versions the viewer may see, newest first."""
    rows = conn.execute(_placements_of(viewer), {"stix_id": stix_id})
    return [Placed(*row) for row in rows]


@functools.lru_cache(maxsize=_STATEMENTS_KEPT)
def _placements_of(viewer: Viewer) -> Select[Any]:
    placement, visible = placement_rule(viewer, "listed_placement")
    return (
        select(
            placement.c.version,
            placement.c.shown_version,
            channels.c.title,
            placement.c.date_added,
            placement.c.tlp,
        )
        .join(channels, channels.c.id == placement.c.channel_id)
        .where(placement.c.stix_id == bindparam("stix_id"), visible)
        .order_by(placement.c.version.desc(), channels.c.title)
    )


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
