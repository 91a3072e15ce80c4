"""What a viewer is shown of entities: an entity named by its id, its names with their
sources, its links with their scores and reasons, and the objects linked to it.

Who sees what is decided in :mod:`passerelle.policy.entities`: a name is shown only to
those who may see the version it came from, a link only to those who may see the version
it was decided on and the name that justified it, and an entity is known only through a
name one may see; an entity one may not know of answers exactly like an id that does not
exist. A link of an object withheld under H3 shows nothing of the object's content.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, bindparam, select

from passerelle.core.context import stamp
from passerelle.core.references import MIN_PREFIX, unknown
from passerelle.errors import BadInput
from passerelle.policy.entities import (
    LINKS,
    link_visible,
    link_withheld,
    name_visible,
    review_items_of,
)
from passerelle.policy.entity_groups import members_of, roots_of, subtree_of
from passerelle.policy.viewer import Viewer
from passerelle.resolution.aliases import AliasData
from passerelle.resolution.aliases import source_description as _describe_source
from passerelle.resolution.candidates import Candidate, candidates_for, thread_bodies
from passerelle.resolution.links import LINKED, read_explanation
from passerelle.store.entity_tables import entities, entity_links, entity_names
from passerelle.store.schema import users

EntityKind = Literal["person", "organization", "location"]
LinkStatus = Literal["auto", "review", "accepted", "rejected"]
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PREFIX: Final = re.compile(r"^[0-9a-f-]+$")


class NameView(BaseModel):
    """One name of an entity and where it comes from."""

    name: str
    script: str
    source: str = Field(
        description="aliases:<file>#<source> (alias files), stix:name, stix:aliases (an "
        "object), review (an accepted review), user (added by your organisation)."
    )
    source_detail: str = Field(default="", description="What an alias file says its source is.")
    object_id: str | None = Field(default=None, description="The object that gave it.")
    entity_id: str = Field(description="The entity that holds it (merged entities keep theirs).")
    added_by: str | None = None
    created: str


class LinkView(BaseModel):
    """A scored, explained link from an object to an entity."""

    object_id: str
    object_type: str
    object_name: str = Field(
        default="", description="The object's name, in its newest version you may read."
    )
    withheld: bool = Field(
        default=False,
        description="The object is withheld until you acknowledge its H3 restriction: "
        "nothing of its content (name, matched name, reasons) is shown.",
    )
    entity_id: str
    entity_name: str = ""
    score: float
    status: LinkStatus
    best_name: str = ""
    reasons: list[str]
    created: str
    decided_by: str | None = Field(
        default=None, description="Who decided (users of your organisation only)."
    )
    decided_at: str | None = None


class EntityView(BaseModel):
    """What you may know of an entity: its names in every script, links, objects."""

    id: str
    kind: EntityKind
    name: str
    merged_into: str | None = Field(
        default=None,
        description="The entity your organisation merged this one into (shown instead).",
    )
    members: list[str] = Field(
        default_factory=list,
        description="Entities your organisation merged into this one that you may know of.",
    )
    names: list[NameView]
    scripts: list[str]
    links: list[LinkView]
    objects: list[str] = Field(description="Objects linked to the entity (auto or accepted).")


def entity_ref(conn: Connection, viewer: Viewer, reference: str) -> tuple[str, Candidate]:
    """Return (the entity named, its merge group as the viewer sees it).

    An entity the viewer may not know of (no name of it they may see) is never matched.
    """
    tail = reference.strip().lower().removeprefix("entity--")
    if _UUID.match(tail):
        rows = [f"entity--{tail}"]
    elif _PREFIX.match(tail) and len(tail) >= MIN_PREFIX:
        rows = list(
            conn.execute(
                select(entities.c.id)
                .where(entities.c.id.startswith(f"entity--{tail}", autoescape=True))
                .limit(50)
            ).scalars()
        )
    elif _PREFIX.match(tail):
        raise BadInput(
            f"entity {reference.strip()[:80]!r}: give the full id or at least "
            f"{MIN_PREFIX} characters of it after 'entity--'"
        )
    else:
        raise unknown("entity", reference)
    known = known_entities(conn, viewer, rows)
    if not known:
        raise unknown("entity", reference)
    if len(known) > 1:
        raise BadInput(f"entity {reference.strip()[:80]!r} is ambiguous: give more of its id")
    return known[0]


def known_entities(
    conn: Connection, viewer: Viewer, ids: Sequence[str]
) -> list[tuple[str, Candidate]]:
    """Return the entities among ``ids`` that the viewer knows, each with its group (as
    their organisation merged it)."""
    if not ids:
        return []
    present = set(conn.execute(select(entities.c.id).where(entities.c.id.in_(ids))).scalars())
    roots = roots_of(conn, viewer.org_id, present)
    groups = candidates_for(conn, viewer, set(roots.values()))
    found = []
    for entity_id in ids:
        group = groups.get(roots.get(entity_id, ""))
        if group is None:
            continue
        subtree = subtree_of(conn, viewer.org_id, entity_id)
        if any(n.entity_id in subtree for n in group.names):
            found.append((entity_id, group))
    return found


def _decided_by(conn: Connection, viewer: Viewer, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({u for u in user_ids if u is not None})
    if not wanted:
        return {}
    rows = conn.execute(
        select(users.c.id, users.c.username).where(
            users.c.id.in_(wanted), users.c.org_id == viewer.org_id
        )
    )
    return {row.id: row.username for row in rows}


def visible_links(
    conn: Connection, viewer: Viewer, where: Any, limit: int | None = None
) -> list[Any]:
    """Return the links matching ``where`` that the viewer may see, each with whether it
    is withheld from them (``withheld``), oldest first."""
    withheld = link_withheld(viewer).label("withheld")
    query = (
        select(entity_links, withheld)
        .select_from(LINKS)
        .where(where, link_visible(viewer))
        .order_by(entity_links.c.created, entity_links.c.stix_id, entity_links.c.holder)
    )
    return list(conn.execute(query if limit is None else query.limit(limit)).all())


def _object_names(conn: Connection, viewer: Viewer, rows: Sequence[Any]) -> dict[Any, str]:
    """Return the name of each link's object, from the newest version of it (the owner's,
    or the copy's) that the viewer may read."""
    bodies = thread_bodies(conn, viewer, {(row.stix_id, row.holder) for row in rows})
    return {thread: str(body.get("name", "")) for thread, body in bodies.items()}


def link_views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], entity_names_by_id: dict[str, str]
) -> list[LinkView]:
    """Return links (of :func:`visible_links`) as the viewer is shown them: the object's
    name if they may read it, who decided if that is someone of their organisation, and
    nothing of an object withheld from them."""
    deciders = _decided_by(conn, viewer, [row.decided_by for row in rows])
    names = _object_names(conn, viewer, rows)
    views = []
    for row in rows:
        told = {} if row.withheld else read_explanation(row.explanation)
        views.append(
            LinkView(
                object_id=row.stix_id,
                object_type=row.stix_id.split("--", 1)[0],
                object_name="" if row.withheld else names.get((row.stix_id, row.holder), ""),
                withheld=bool(row.withheld),
                entity_id=row.entity_id,
                entity_name=entity_names_by_id.get(row.entity_id, ""),
                score=row.score / 1000,
                status=row.status,
                best_name=str(told.get("best_name") or ""),
                reasons=[str(r) for r in told.get("reasons") or ()],
                created=stamp(row.created) or "",
                decided_by=deciders.get(row.decided_by) if row.decided_by else None,
                decided_at=stamp(row.decided_at),
            )
        )
    return views


def entity_view(
    conn: Connection, viewer: Viewer, entity_id: str, group: Candidate, aliases: AliasData
) -> EntityView:
    """Return what the viewer may know of an entity's merge group: the names they may see,
    the links they may see (review items only of their organisation), the objects."""
    members = sorted(members_of(conn, viewer.org_id, [group.entity_id]))
    names = _name_views(conn, viewer, members, aliases)
    known_members = sorted({n.entity_id for n in names} - {group.entity_id})
    listed = visible_links(conn, viewer, entity_links.c.entity_id.in_(members))
    reviewable = _reviewable(conn, viewer, [r for r in listed if r.status == "review"])
    shown = [
        row
        for row in listed
        if row.status != "review" or (row.stix_id, row.holder, row.entity_id) in reviewable
    ]
    display = group.display_name()
    links = link_views(conn, viewer, shown, dict.fromkeys(members, display))
    return EntityView(
        id=group.entity_id,
        kind=group.kind,
        name=display,
        merged_into=group.entity_id if entity_id != group.entity_id else None,
        members=known_members,
        names=names,
        scripts=sorted({n.script for n in names}),
        links=links,
        objects=sorted({v.object_id for v in links if v.status in LINKED}),
    )


@functools.lru_cache(maxsize=256)
def _group_names(viewer: Viewer) -> Select[Any]:
    # Built once per viewer, its cache key with it: both cost more than running it.
    return (
        select(entity_names)
        .where(
            entity_names.c.entity_id.in_(bindparam("members", expanding=True)),
            name_visible(viewer),
        )
        .order_by(entity_names.c.id)
    )


def _name_views(
    conn: Connection, viewer: Viewer, members: Sequence[str], aliases: AliasData
) -> list[NameView]:
    """The names of a group's entities the viewer may see, once each (a name carried by
    several versions of an object shows once)."""
    rows = conn.execute(_group_names(viewer), {"members": list(members)}).all()
    adders = _decided_by(conn, viewer, [row.added_by for row in rows])
    views: dict[tuple[str, str, str, str | None], NameView] = {}
    for row in rows:
        views.setdefault(
            (row.entity_id, row.name, row.source, row.stix_id),
            NameView(
                name=row.name,
                script=row.script,
                source=row.source,
                source_detail=_describe_source(row.source, aliases),
                object_id=row.stix_id,
                entity_id=row.entity_id,
                added_by=adders.get(row.added_by) if row.added_by else None,
                created=stamp(row.created) or "",
            ),
        )
    return list(views.values())


def _reviewable(conn: Connection, viewer: Viewer, rows: Sequence[Any]) -> set[tuple[str, int, str]]:
    """Return which of these links waiting for review are items of the viewer's
    organisation."""
    if not rows:
        return set()
    found = conn.execute(
        select(entity_links.c.stix_id, entity_links.c.holder, entity_links.c.entity_id)
        .select_from(LINKS)
        .where(
            entity_links.c.stix_id.in_(sorted({row.stix_id for row in rows})),
            review_items_of(viewer),
        )
    )
    return {(row.stix_id, row.holder, row.entity_id) for row in found}
