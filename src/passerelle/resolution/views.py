"""What a viewer is shown of entities: an entity named by its id, its names with their
sources, its links with their scores and reasons, and the objects linked to it.

Who sees what is decided in :mod:`passerelle.policy.entities`: a name is shown only to
those who may see where it came from, a link only to those who may see its object and
the name that justified it, and an entity is known only through a name one may see; an
entity one may not know of answers exactly like an id that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from passerelle.core.context import stamp
from passerelle.core.references import MIN_PREFIX, unknown
from passerelle.errors import BadInput
from passerelle.objects.latest import latest_stored_bodies
from passerelle.policy.entities import (
    link_object_visible,
    name_visible,
    review_items_of,
    visible_objects,
)
from passerelle.policy.viewer import Viewer
from passerelle.resolution.aliases import AliasData
from passerelle.resolution.aliases import source_description as _describe_source
from passerelle.resolution.candidates import Candidate, candidates_for, members_of, roots_of
from passerelle.resolution.links import LINKED, read_explanation
from passerelle.store.schema import entities, entity_links, entity_names, users

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
    object_name: str = ""
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
        default=None, description="The entity this one is merged into (shown instead)."
    )
    members: list[str] = Field(
        default_factory=list, description="Entities merged into this one that you may know of."
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
    """Return the entities among ``ids`` that the viewer knows, each with its group."""
    if not ids:
        return []
    present = set(conn.execute(select(entities.c.id).where(entities.c.id.in_(ids))).scalars())
    roots = roots_of(conn, present)
    groups = candidates_for(conn, viewer, set(roots.values()))
    found = []
    for entity_id in ids:
        group = groups.get(roots.get(entity_id, ""))
        if group is None:
            continue
        subtree = _subtree(conn, entity_id)
        if any(n.entity_id in subtree for n in group.names):
            found.append((entity_id, group))
    return found


def _subtree(conn: Connection, entity_id: str) -> set[str]:
    """Return an entity and every entity merged into it, directly or not."""
    return set(members_of(conn, [entity_id]))


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


def links_shown(conn: Connection, viewer: Viewer, rows: Sequence[Any]) -> list[Any]:
    """Return the links whose justifying name (``via``) the viewer may see too."""
    vias = {row.stix_id: read_explanation(row.explanation).get("via") for row in rows}
    seen = visible_objects(conn, viewer, {v for v in vias.values() if isinstance(v, str)})
    return [
        row for row in rows if not isinstance(vias[row.stix_id], str) or vias[row.stix_id] in seen
    ]


def _object_names(conn: Connection, viewer: Viewer, stix_ids: Iterable[str]) -> dict[str, str]:
    """Return the name of each object (as learnt, or from its newest version) if visible."""
    wanted = sorted(set(stix_ids))
    seen = visible_objects(conn, viewer, wanted)
    bodies = latest_stored_bodies(conn, seen)
    return {
        stix_id: str(body.get("name", ""))
        for stix_id, body in bodies.items()
        if isinstance(body, dict)
    }


def link_views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], entity_names_by_id: dict[str, str]
) -> list[LinkView]:
    """Return links as the viewer is shown them: the object's name if they may see it, who
    decided if that is someone of their organisation."""
    deciders = _decided_by(conn, viewer, [row.decided_by for row in rows])
    names = _object_names(conn, viewer, [row.stix_id for row in rows])
    views = []
    for row in rows:
        told = read_explanation(row.explanation)
        views.append(
            LinkView(
                object_id=row.stix_id,
                object_type=row.stix_id.split("--", 1)[0],
                object_name=names.get(row.stix_id, ""),
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
    members = members_of(conn, [group.entity_id])
    visible_rows = conn.execute(
        select(entity_names)
        .where(entity_names.c.entity_id.in_(sorted(members)), name_visible(viewer))
        .order_by(entity_names.c.id)
    ).all()
    adders = _decided_by(conn, viewer, [row.added_by for row in visible_rows])
    names = [
        NameView(
            name=row.name,
            script=row.script,
            source=row.source,
            source_detail=_describe_source(row.source, aliases),
            object_id=row.stix_id,
            entity_id=row.entity_id,
            added_by=adders.get(row.added_by) if row.added_by else None,
            created=stamp(row.created) or "",
        )
        for row in visible_rows
    ]
    known_members = sorted({row.entity_id for row in visible_rows} - {group.entity_id})
    link_rows = conn.execute(
        select(entity_links)
        .where(entity_links.c.entity_id.in_(sorted(members)), link_object_visible(viewer))
        .order_by(entity_links.c.created, entity_links.c.stix_id)
    ).all()
    shown = [
        row
        for row in links_shown(conn, viewer, link_rows)
        if row.status != "review" or _reviewable(conn, viewer, row)
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


def _reviewable(conn: Connection, viewer: Viewer, row: Any) -> bool:
    """Tell whether a link waiting for review is an item of the viewer's organisation."""
    found = conn.execute(
        select(entity_links.c.stix_id).where(
            entity_links.c.stix_id == row.stix_id,
            entity_links.c.entity_id == row.entity_id,
            review_items_of(viewer),
        )
    ).first()
    return found is not None
