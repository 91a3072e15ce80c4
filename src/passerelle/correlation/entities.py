"""Correlation through resolved entities, held to what the asker may know of them.

Objects correlate through an entity when links (``auto`` or ``accepted``) tie them to
the same merge group, followed along its whole chain as the asker's organisation merged
it (:mod:`passerelle.policy.entity_groups`), exactly as entity views group it. Only links
the asker may see count (:func:`passerelle.policy.entities.link_visible`: the version a
link was decided on, and the name that justified it), so a link an entity view would not
show them never correlates anything for them either. An entity they may not know of (no
name of it they may see) answers a look-up exactly like an id that does not exist.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sqlalchemy import Connection, Select, select

from passerelle.core.references import MIN_PREFIX, unknown
from passerelle.errors import BadInput
from passerelle.policy.entities import LINKS, knows_any, link_visible
from passerelle.policy.entity_groups import members_of, roots_of, subtree_of
from passerelle.policy.viewer import Viewer
from passerelle.store.entity_tables import entities, entity_links

ENTITY: Final = "entity"
_PREFIX: Final = re.compile(r"^[0-9a-f-]+$")
# Links to entities that count: made automatically above the threshold, or accepted.
LINKED: Final = ("auto", "accepted")
# Groups of one correlation: an object's keys are capped at indexing, its entities here.
MAX_ENTITIES: Final = 20


def own_entities(conn: Connection, viewer: Viewer, object_id: str) -> list[str]:
    """Return the roots of the entity groups an object is linked to, through links the
    viewer may see, among the entities they may know of."""
    linked = conn.execute(
        select(entity_links.c.entity_id)
        .select_from(LINKS)
        .where(
            entity_links.c.stix_id == object_id,
            entity_links.c.status.in_(LINKED),
            link_visible(viewer),
        )
        .distinct()
    ).scalars()
    known = [e for e in sorted(set(linked)) if knows_any(conn, viewer, [e])]
    roots = roots_of(conn, viewer.org_id, known)
    return sorted(set(roots.values()))[:MAX_ENTITIES]


def group_members(conn: Connection, viewer: Viewer, root: str) -> list[str]:
    """Return the entities of a merge group as the viewer's organisation merged it."""
    return sorted(members_of(conn, viewer.org_id, [root]))


def entity_matches(viewer: Viewer, members: list[str], exclude: str | None) -> Select[Any]:
    """Select the objects linked to a group's entities through links the viewer may see."""
    query = (
        select(entity_links.c.stix_id.label("stix_id"))
        .select_from(LINKS)
        .where(
            entity_links.c.entity_id.in_(members),
            entity_links.c.status.in_(LINKED),
            link_visible(viewer),
        )
    )
    if exclude is not None:
        query = query.where(entity_links.c.stix_id != exclude)
    return query.distinct()


def looked_up_group(conn: Connection, viewer: Viewer, reference: str) -> tuple[str, list[str]]:
    """Return the root and members of the group an ``entity:`` look-up names: the full id,
    or at least 8 characters of its uuid (as everywhere an entity is named).

    An entity that does not exist and one the viewer may not know of give the same
    answer: no entity of that name; a prefix is ambiguous only among entities they know.
    """
    tail = reference.strip().lower().removeprefix(f"{ENTITY}--")
    if not _PREFIX.match(tail):
        raise unknown(ENTITY, reference)
    if len(tail) < MIN_PREFIX:
        raise BadInput(
            f"entity {reference.strip()[:80]!r}: give the full id or at least "
            f"{MIN_PREFIX} characters of it after 'entity--'"
        )
    named = select(entities.c.id).where(
        entities.c.id.startswith(f"{ENTITY}--{tail}", autoescape=True)
    )
    known = [
        found
        for found in conn.execute(named.order_by(entities.c.id).limit(50)).scalars()
        if knows_any(conn, viewer, subtree_of(conn, viewer.org_id, found))
    ]
    if not known:
        raise unknown(ENTITY, reference)
    if len(known) > 1:
        raise BadInput(f"entity {reference.strip()[:80]!r} is ambiguous: give more of its id")
    wanted = known[0]
    root = roots_of(conn, viewer.org_id, [wanted])[wanted]
    return root, group_members(conn, viewer, root)
