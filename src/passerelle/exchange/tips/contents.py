"""What a tip holds: its object and, transitively, what that object refers to."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, Select, and_, bindparam, or_, select

from passerelle.objects.latest import latest_visible_versions
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import placement_rule
from passerelle.store.chunks import chunked
from passerelle.store.schema import object_refs

if TYPE_CHECKING:  # the type alone: a tip read imports no feedback writer
    from passerelle.exchange.feedback import TipRecord

CLOSURE_LIMIT: Final = 5000


def closure(conn: Connection, viewer: Viewer, start: Sequence[tuple[str, str]]) -> list[str]:
    """Return the ids a tip holds for a viewer: its object and, transitively, what the
    latest version of each that the viewer may see refers to.

    Referred ids are kept whether or not an object of that id is stored. A version hidden
    from the viewer is never followed: what it refers to says something about it.
    """
    order = [stix_id for stix_id, _ in start]
    seen = set(order)
    frontier = list(start)
    while frontier and len(order) < CLOSURE_LIMIT:
        refs: list[str] = []
        for pairs in chunked(frontier, 200):
            refs += conn.execute(
                select(object_refs.c.ref_id).where(
                    or_(
                        *(
                            and_(object_refs.c.stix_id == i, object_refs.c.version == v)
                            for i, v in pairs
                        )
                    )
                )
            ).scalars()
        new = list(dict.fromkeys(r for r in refs if r not in seen))
        seen.update(new)
        order += new
        frontier = list(latest_visible_versions(conn, viewer, new).items())
    return order[:CLOSURE_LIMIT]


def channel_contents(conn: Connection, viewer: Viewer, row: Any) -> list[str]:
    """Return the ids a tip (a row of ``tips``) holds that the viewer may see in its channel."""
    ids = closure(conn, viewer, [(row.stix_id, row.version)])
    shown: set[str] = set()
    for chunk in chunked(ids):
        values = {"ids": list(chunk), "channel_id": row.channel_id}
        shown.update(conn.execute(_shown_in_channel(viewer), values).scalars())
    return [i for i in ids if i in shown]


@functools.lru_cache(maxsize=256)
def _shown_in_channel(viewer: Viewer) -> Select[Any]:
    # Built once per viewer, its cache key with it: both cost more than running it.
    placement, visible = placement_rule(viewer, "contents_placement")
    return (
        select(placement.c.stix_id)
        .where(
            placement.c.stix_id.in_(bindparam("ids", expanding=True)),
            placement.c.channel_id == bindparam("channel_id"),
            visible,
        )
        .distinct()
    )


def visible_contents(conn: Connection, viewer: Viewer, record: TipRecord) -> list[tuple[str, str]]:
    """Return the (id, type) of what a tip holds whose latest version the viewer may see."""
    ids = closure(conn, viewer, [(record.stix_id, record.version)])
    visible = latest_visible_versions(conn, viewer, ids)
    return [(i, i.split("--")[0]) for i in ids if i in visible]
