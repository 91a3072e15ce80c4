"""Who may see which names, links, facts and review items of entity resolution.

Entities gather what many objects, files and people say about one real-world thing; what
each of those sources says stays under that source's rules, version by version, so an
entity looks different to different viewers:

- a name learnt from a STIX object (``stix_id`` set: sources ``stix:name``,
  ``stix:aliases``, ``review``) is visible exactly to those who may see the version that
  carries it, and, when it came from a later version than the one the object's link was
  decided on, that version too (the name tells of the link); never while that version's
  H3 restriction waits for their acknowledgement (:mod:`passerelle.policy.withholding`);
- a name from the shipped or node alias files (source ``aliases:...``, no object) is
  public;
- a name a user added (source ``user``) is visible to that user's organisation only;
- a link from an object to an entity is visible to those who may see the version it was
  decided on *and* the entity's name that justified it (``via_name_id``): the most
  restrictive rule of its inputs applies. A link of an object withheld under H3 may be
  listed, marked withheld, with nothing of the object's content;
- facts (birth dates, nationalities, identifiers) come only from versions the viewer may
  read (:func:`readable_versions`);
- an entity (with what its viewer's organisation merged into it,
  :mod:`passerelle.policy.entity_groups`) is known to a viewer only through a name they
  may see; otherwise it answers like an id that does not exist;
- a review item (a link waiting for a decision) belongs to the organisation whose object
  it is: the object's owner (``object_owners``), or for a copy the organisation keeping
  it (``holder``), never whoever stored some version; only its users see and decide it,
  and only while they may see its inputs.

Auditors read the audit log, never any of this.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
)

from passerelle.policy.ownership import copy_holder
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.policy.withholding import h3_pending
from passerelle.store.chunks import chunked
from passerelle.store.entity_tables import entity_links, entity_names
from passerelle.store.schema import channel_objects, object_owners, users

PUBLIC_SOURCE_PREFIX = "aliases:"
USER_SOURCE = "user"
# The holder of the links of an object's owner's own versions.
OWNER = 0


def holder_of(version: str) -> int:
    """Return whose versions a version key is: :data:`OWNER`, or the copy's holder."""
    return copy_holder(version) or OWNER


def version_seen(viewer: Viewer, stix_id: Any, version: Any) -> ColumnElement[bool]:
    """The viewer may see this very version of the object (in some channel)."""
    placement = channel_objects.alias()
    return exists().where(
        placement.c.stix_id == stix_id,
        placement.c.version == version,
        visible_placement(viewer, placement),
    )


# The rules below are built once per viewer and reused: each holds several copies of
# visible_placement, whose expression costs more to build than the queries cost to run.
_RULES_KEPT: Final = 256


@functools.lru_cache(maxsize=_RULES_KEPT)
def _name_rule(viewer: Viewer, names: FromClause) -> ColumnElement[bool]:
    adder = users.alias()
    learnt = and_(
        names.c.stix_id.is_not(None),
        names.c.version.is_not(None),
        version_seen(viewer, names.c.stix_id, names.c.version),
        ~h3_pending(viewer, names.c.stix_id, names.c.version),
        or_(
            names.c.link_version.is_(None),
            version_seen(viewer, names.c.stix_id, names.c.link_version),
        ),
    )
    return or_(
        and_(names.c.stix_id.is_(None), names.c.source.startswith(PUBLIC_SOURCE_PREFIX)),
        and_(
            names.c.stix_id.is_(None),
            names.c.source == USER_SOURCE,
            exists().where(adder.c.id == names.c.added_by, adder.c.org_id == viewer.org_id),
        ),
        learnt,
    )


def name_visible(viewer: Viewer, names: FromClause = entity_names) -> ColumnElement[bool]:
    """Filter rows of ``entity_names`` (or an alias of it) to the names the viewer may see."""
    if viewer.role is Role.AUDITOR:
        return false()
    return _name_rule(viewer, names)


# Links are read joined to the name that justified them (when one did), so that the
# rule of that name sits beside the link's own, not nested one level deeper: SQLite's
# parser has a bounded depth, which visible_placement nested twice would exceed.
LINK_VIA: Final = entity_names.alias("link_via")
LINKS: Final = entity_links.outerjoin(LINK_VIA, LINK_VIA.c.id == entity_links.c.via_name_id)


def link_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Filter rows of :data:`LINKS` (``entity_links`` joined to the name that justified
    each) to the links the viewer may see: the version they were decided on, and that
    name."""
    if viewer.role is Role.AUDITOR:
        return false()
    return _link_rule(viewer)


@functools.lru_cache(maxsize=_RULES_KEPT)
def _link_rule(viewer: Viewer) -> ColumnElement[bool]:
    return and_(
        entity_links.c.version.is_not(None),
        version_seen(viewer, entity_links.c.stix_id, entity_links.c.version),
        or_(entity_links.c.via_name_id.is_(None), _name_rule(viewer, LINK_VIA)),
    )


def link_withheld(viewer: Viewer) -> ColumnElement[bool]:
    """The version an ``entity_links`` row was decided on is withheld from the viewer
    under H3."""
    return h3_pending(viewer, entity_links.c.stix_id, entity_links.c.version)


def owned_by(org_id: int) -> ColumnElement[bool]:
    """The ``entity_links`` row's object is the organisation's: it owns it, or keeps this
    copy of it."""
    return or_(
        and_(
            entity_links.c.holder == OWNER,
            exists().where(
                object_owners.c.stix_id == entity_links.c.stix_id,
                object_owners.c.org_id == org_id,
            ),
        ),
        entity_links.c.holder == org_id,
    )


def review_items_of(viewer: Viewer) -> ColumnElement[bool]:
    """Filter rows of :data:`LINKS` to the review items the viewer's organisation
    decides."""
    if viewer.role is Role.AUDITOR:
        return false()
    return and_(entity_links.c.status == "review", owned_by(viewer.org_id), link_visible(viewer))


def readable_versions(
    conn: Connection, viewer: Viewer, stix_ids: Iterable[str]
) -> dict[str, set[str]]:
    """Return, per object, the versions of it the viewer may see and read (no H3
    restriction waiting for their acknowledgement)."""
    return _versions(conn, viewer, stix_ids, readable=True)


def _versions(
    conn: Connection, viewer: Viewer, stix_ids: Iterable[str], *, readable: bool
) -> dict[str, set[str]]:
    if viewer.role is Role.AUDITOR:
        return {}
    found: dict[str, set[str]] = {}
    for chunk in chunked(sorted(set(stix_ids))):
        rows = conn.execute(_versions_among(viewer, readable), {"ids": list(chunk)})
        for row in rows:
            found.setdefault(row.stix_id, set()).add(row.version)
    return found


@functools.lru_cache(maxsize=_RULES_KEPT)
def _versions_among(viewer: Viewer, readable: bool) -> Select[Any]:
    # The statement too, and its cache key with it: both cost more than running it.
    placement, shown = _versions_rule(viewer, readable)
    return (
        select(placement.c.stix_id, placement.c.version)
        .where(placement.c.stix_id.in_(bindparam("ids", expanding=True)), shown)
        .distinct()
    )


@functools.lru_cache(maxsize=_RULES_KEPT)
def _versions_rule(viewer: Viewer, readable: bool) -> tuple[FromClause, ColumnElement[bool]]:
    placement = channel_objects.alias()
    shown = visible_placement(viewer, placement)
    if readable:
        shown = and_(shown, ~h3_pending(viewer, placement.c.stix_id, placement.c.version))
    return placement, shown


def newest_of_thread(versions: Iterable[str], holder: int) -> str | None:
    """Return the newest of these versions that belongs to the holder's versions."""
    own = [v for v in versions if holder_of(v) == holder]
    return max(own) if own else None


def knows_any(conn: Connection, viewer: Viewer, entity_ids: Iterable[str]) -> bool:
    """Tell whether the viewer may see a name of any of these entities."""
    wanted = sorted(set(entity_ids))
    if viewer.role is Role.AUDITOR or not wanted:
        return False
    for chunk in chunked(wanted):
        found = conn.execute(
            select(entity_names.c.id)
            .where(entity_names.c.entity_id.in_(chunk), name_visible(viewer))
            .limit(1)
        ).first()
        if found is not None:
            return True
    return False
