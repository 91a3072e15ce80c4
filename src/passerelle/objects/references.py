"""What refers to an object (relationships, sightings, reports, notes...), as a viewer may
see it: the neighbourhood of an object read through the policy module's rule.

An object refers to another when the newest version of it the viewer may see names that
one (``object_refs``, kept at ingest); an older version that named it, or a version the
viewer may not see, refers to nothing for them. A derived object is visible only to those
who may see every stored object it refers to (:func:`passerelle.policy.visibility.
visible_placement`), so a relationship to an object hidden from a viewer is hidden too.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, select

from passerelle.objects.latest import latest_visible_versions
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.store.schema import channel_objects, object_refs

# Referring objects looked at per object (the neighbourhood of a hub is capped).
MAX_REFERRERS: Final = 1000


def referring_ids(
    conn: Connection, viewer: Viewer, stix_id: str, limit: int = MAX_REFERRERS
) -> list[str]:
    """Return the objects whose newest version the viewer may see refers to this object,
    by id (at most ``limit`` of them, the first by id)."""
    placement = channel_objects.alias("placement")
    refs = object_refs.alias("referring")
    rows = conn.execute(
        select(refs.c.stix_id, refs.c.version)
        .join(
            placement,
            (placement.c.stix_id == refs.c.stix_id) & (placement.c.version == refs.c.version),
        )
        .where(refs.c.ref_id == stix_id, visible_placement(viewer, placement))
        .distinct()
        .order_by(refs.c.stix_id)
        .limit(limit * 4)
    ).all()
    referring = {(row.stix_id, row.version) for row in rows}
    newest = latest_visible_versions(conn, viewer, {row.stix_id for row in rows})
    found = sorted(i for i, version in newest.items() if (i, version) in referring)
    return found[:limit]
