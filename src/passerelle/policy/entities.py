"""Who may see which names, links and review items of entity resolution.

Entities gather what many objects, files and people say about one real-world thing; what
each of those sources says stays under that source's rules, so an entity looks different
to different viewers:

- a name learnt from a STIX object (``stix_id`` set: sources ``stix:name``,
  ``stix:aliases``, ``review``) is visible exactly to those who may see that object;
- a name from the shipped or node alias files (source ``aliases:...``, no object) is
  public;
- a name a user added (source ``user``) is visible to that user's organisation only;
- a link from an object to an entity is visible to those who may see the object *and*
  the name that justified it (its explanation names it: the most restrictive rule of its
  inputs applies);
- an entity (with everything merged into it) is known to a viewer only through a name
  they may see; otherwise it answers like an id that does not exist;
- a review item (a link waiting for a decision) belongs to the organisation that produced
  the object: only its users see and decide it, and only while they may see its inputs.

Auditors read the audit log, never any of this. Merges are judgements of the node and
apply to everyone, but a merged entity still shows each viewer only the names they may
see, so a merge reveals nothing of what a viewer may not read.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, exists, false, or_, select

from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.store.chunks import chunked
from passerelle.store.schema import channel_objects, entity_links, entity_names, objects, users

PUBLIC_SOURCE_PREFIX = "aliases:"
USER_SOURCE = "user"


def _object_visible(viewer: Viewer, stix_id: ColumnElement[str]) -> ColumnElement[bool]:
    placement = channel_objects.alias("name_placement")
    return exists().where(placement.c.stix_id == stix_id, visible_placement(viewer, placement))


def name_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Filter rows of ``entity_names`` to the names the viewer may see."""
    if viewer.role is Role.AUDITOR:
        return false()
    adder = users.alias("name_adder")
    return or_(
        and_(
            entity_names.c.stix_id.is_(None),
            entity_names.c.source.startswith(PUBLIC_SOURCE_PREFIX),
        ),
        and_(
            entity_names.c.stix_id.is_(None),
            entity_names.c.source == USER_SOURCE,
            exists().where(adder.c.id == entity_names.c.added_by, adder.c.org_id == viewer.org_id),
        ),
        and_(
            entity_names.c.stix_id.is_not(None),
            _object_visible(viewer, entity_names.c.stix_id),
        ),
    )


def link_object_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Filter rows of ``entity_links`` to those whose object the viewer may see.

    The name that justified a link (``via`` in its explanation) is checked with
    :func:`visible_objects` on the rows this returns.
    """
    if viewer.role is Role.AUDITOR:
        return false()
    return _object_visible(viewer, entity_links.c.stix_id)


def review_items_of(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``entity_links`` to review items of objects the viewer's organisation made."""
    if viewer.role is Role.AUDITOR:
        return false()
    return and_(
        entity_links.c.status == "review",
        exists().where(
            objects.c.stix_id == entity_links.c.stix_id,
            objects.c.producer_org_id == viewer.org_id,
        ),
        link_object_visible(viewer),
    )


def visible_objects(conn: Connection, viewer: Viewer, stix_ids: Iterable[str]) -> set[str]:
    """Return those of the objects that the viewer may see (some version, some channel)."""
    if viewer.role is Role.AUDITOR:
        return set()
    wanted = sorted(set(stix_ids))
    placement = channel_objects.alias("seen_placement")
    found: set[str] = set()
    for chunk in chunked(wanted):
        found.update(
            conn.execute(
                select(placement.c.stix_id)
                .where(placement.c.stix_id.in_(chunk), visible_placement(viewer, placement))
                .distinct()
            ).scalars()
        )
    return found
