"""Who holds something a viewer may know exists: the producer organisations of the
objects carrying a key, or linked to an entity group, that the viewer may see.

This is what a federated look-up tells a peer (hit or no-hit, and the holders), so it
says nothing else: no object, no id, no count. Both queries select only placements the
viewer may see (:func:`passerelle.policy.visibility.visible_placement`), in SQL, before
anything is read; an object the viewer may not see holds nothing for them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, exists, select

from passerelle.correlation.entities import entity_matches, group_members
from passerelle.correlation.queries import key_matching
from passerelle.keys.observables import related_keys
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.store.schema import channel_objects, object_keys, organisations


def _producers(viewer: Viewer, condition: Any) -> Select[Any]:
    held = channel_objects.alias("held")
    return (
        select(organisations.c.name)
        .select_from(held.join(organisations, organisations.c.id == held.c.producer_org_id))
        .where(condition(held), visible_placement(viewer, held))
        .distinct()
    )


def value_holders(conn: Connection, viewer: Viewer, key: str) -> list[str]:
    """Return the organisations that produced a version the viewer may see carrying the
    key (or a related one: an address and the networks holding it), by name."""
    condition = related_keys(key)

    def carries(held: Any) -> Any:
        return exists().where(
            object_keys.c.stix_id == held.c.stix_id,
            object_keys.c.version == held.c.version,
            key_matching(object_keys.c.key, condition),
        )

    return sorted(conn.execute(_producers(viewer, carries)).scalars())


def entity_holders(conn: Connection, viewer: Viewer, roots: list[str]) -> list[str]:
    """Return the organisations that produced an object the viewer may see, linked through
    a link they may see to one of these entity groups (as their organisation merged
    them), by name."""
    members = sorted({m for root in roots for m in group_members(conn, viewer, root)})
    if not members:
        return []
    linked = entity_matches(viewer, members, None)
    return sorted(
        conn.execute(_producers(viewer, lambda held: held.c.stix_id.in_(linked))).scalars()
    )
