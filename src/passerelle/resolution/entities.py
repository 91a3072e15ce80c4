"""Entities: resolving names, showing what is known of an entity, the review queue,
reversible merges and user-added names; each an :class:`Operation` that the REST API and
the command line both call.

Who sees what is decided in :mod:`passerelle.policy.entities`: a name is shown only to
those who may see where it came from, a link only to those who may see its object and
the name that justified it, and an entity is known only through a name one may see; an
entity one may not know of answers exactly like an id that does not exist. Every
decision (accept, reject, merge, unmerge, a name added) goes to the audit log.

Links are named by their object and entity: ``review accept OBJECT_ID ENTITY``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import unknown
from passerelle.errors import BadInput, Conflict
from passerelle.objects.latest import latest_stored_bodies
from passerelle.policy.entities import review_items_of
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.resolution.aliases import AliasData, ensure_loaded, is_loaded, load_alias_data
from passerelle.resolution.candidates import Candidate, Match, find_candidates, rank
from passerelle.resolution.linking import AUTO, REVIEW
from passerelle.resolution.links import (
    LINKED,
    SOURCE_REVIEW,
    learn_names,
    new_entity,
    subject_names,
)
from passerelle.resolution.names import Kind, name_keys
from passerelle.resolution.subjects import facts_of, subject_of
from passerelle.resolution.views import (
    EntityKind,
    EntityView,
    LinkView,
    NameView,
    entity_ref,
    entity_view,
    known_entities,
    link_views,
    links_shown,
)
from passerelle.store.schema import entities, entity_links

Decision = Literal["match", "review", "weak"]
MAX_NAME: Final = 300
MAX_RESULTS: Final = 50
_KINDS: Final[tuple[Kind, ...]] = ("person", "organization", "location")

# Requests -------------------------------------------------------------------------------


class Resolve(BaseModel):
    """Find the entities a name may be."""

    name: str = Field(description="A name in any script or spelling.")
    type: EntityKind | None = Field(default=None, description="Only entities of this kind.")
    birth_dates: list[str] = Field(
        default_factory=list, description="Known birth dates (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    nationalities: list[str] = Field(
        default_factory=list, description="Known nationalities (ISO 3166 alpha-2)."
    )
    identifiers: list[str] = Field(
        default_factory=list, description="Known passport or other identity numbers."
    )
    limit: int = Field(default=10, ge=1, le=MAX_RESULTS, description="At most this many.")


class EntityRef(BaseModel):
    """One entity."""

    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


class MergeBody(BaseModel):
    """Where an entity merges."""

    into: str = Field(description="The entity it is the same as (full id or 8+ characters).")


class Merge(MergeBody):
    """Merge an entity into another: reversible with unmerge."""

    entity_id: str = Field(description="The entity that merges (full id or 8+ characters).")


class AliasBody(BaseModel):
    """A name to add to an entity."""

    name: str = Field(description="A name the entity is known by (your organisation sees it).")


class AddAlias(AliasBody):
    """Add a name to an entity."""

    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


class ListReview(BaseModel):
    """Which review items to list."""

    limit: int = Field(default=100, ge=1, le=1000, description="At most this many, oldest first.")


class LinkRef(BaseModel):
    """A link from an object to an entity."""

    object_id: str = Field(description="The STIX id of the object.")
    entity_id: str = Field(description="The entity: its full id, or 8+ characters of its uuid.")


# Responses ------------------------------------------------------------------------------


class ResolvedCandidate(BaseModel):
    """An entity a name may be, how well it matches and why."""

    entity_id: str
    kind: EntityKind
    name: str = Field(description="The entity's name as you may see it.")
    score: float = Field(description="0 to 1.")
    decision: Decision = Field(
        description=f"match (>= {AUTO}), review (>= {REVIEW}: a person should decide), weak."
    )
    best_name: str = Field(description="The entity's name that matched best.")
    best_name_source: str
    reasons: list[str]
    names: int = Field(description="Names of the entity that you may see.")


# Operations -----------------------------------------------------------------------------


def _ready(ctx: Context) -> AliasData:
    """Load the node's alias files first if its database does not hold them yet; return
    what they say."""
    aliases = load_alias_data(ctx.keys.alias_dirs)
    with ctx.database.read() as conn:
        if is_loaded(conn, aliases):
            return aliases
    with ctx.database.write() as conn:
        ensure_loaded(ctx.database, conn, aliases, ctx.now())
    return aliases


def resolve(ctx: Context, request: Resolve) -> list[ResolvedCandidate]:
    """Rank the entities a name may be, with scores and explanations."""
    viewer = ctx.viewer
    require_worker(viewer)
    name = request.name.strip()
    if not name:
        raise BadInput("give a name to resolve")
    if len(name) > MAX_NAME:
        raise BadInput(f"the name is too long ({len(name)} characters; at most {MAX_NAME})")
    kinds: tuple[Kind, ...] = (request.type,) if request.type else _KINDS
    facts = facts_of(
        {
            "x_birth_date": request.birth_dates,
            "x_nationality": request.nationalities,
            "x_identifiers": request.identifiers,
        }
    )
    _ready(ctx)
    with ctx.database.read() as conn:
        keys = {key for kind in kinds for key in name_keys(name, kind)}
        found, _shared = find_candidates(conn, viewer, keys, request.type)
        matches: list[Match] = []
        for kind in kinds:
            pool = [c for c in found.values() if c.kind == kind]
            matches += rank([name], facts, kind, pool)
    matches.sort(key=lambda m: (-m.score, m.candidate.entity_id))
    return [_candidate_view(m) for m in matches[: request.limit]]


def _candidate_view(match: Match) -> ResolvedCandidate:
    decision: Decision = (
        "match" if match.score >= AUTO else "review" if match.score >= REVIEW else "weak"
    )
    return ResolvedCandidate(
        entity_id=match.candidate.entity_id,
        kind=match.candidate.kind,
        name=match.candidate.display_name(),
        score=round(match.score, 3),
        decision=decision,
        best_name=match.scored.best_name,
        best_name_source=match.via.source if match.via else "",
        reasons=list(match.scored.reasons),
        names=len(match.candidate.names),
    )


def show_entity(ctx: Context, request: EntityRef) -> EntityView:
    """Show an entity: its names with their sources, its links and linked objects."""
    require_worker(ctx.viewer)
    aliases = _ready(ctx)
    with ctx.database.read() as conn:
        entity_id, group = entity_ref(conn, ctx.viewer, request.entity_id)
        return entity_view(conn, ctx.viewer, entity_id, group, aliases)


def merge(ctx: Context, request: Merge) -> EntityView:
    """Merge an entity into another one it is the same as; ``unmerge`` undoes it."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = _ready(ctx)
    now = ctx.now()
    with ctx.database.write() as conn:
        entity_id, group = entity_ref(conn, viewer, request.entity_id)
        into_id, into = entity_ref(conn, viewer, request.into)
        row = conn.execute(select(entities).where(entities.c.id == entity_id)).one()
        if row.merged_into is not None:
            raise Conflict(
                f"{entity_id} is already merged into {group.entity_id}: unmerge it first"
            )
        if into.entity_id == entity_id:
            raise Conflict(f"{entity_id} and {into_id} are already one entity")
        if into.kind != group.kind:
            raise BadInput(f"a {group.kind} cannot merge into a {into.kind}")
        conn.execute(
            entities.update()
            .where(entities.c.id == entity_id)
            .values(merged_into=into.entity_id, merged_by=viewer.user_id, merged_at=now)
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-merge",
            [entity_id, into.entity_id],
            {"into": into.entity_id},
        )
        [(_id, merged)] = known_entities(conn, viewer, [into.entity_id])
        return entity_view(conn, viewer, into.entity_id, merged, aliases)


def unmerge(ctx: Context, request: EntityRef) -> EntityView:
    """Undo a merge: the entity stands alone again, with its names and links as before."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = _ready(ctx)
    with ctx.database.write() as conn:
        entity_id, _group = entity_ref(conn, viewer, request.entity_id)
        row = conn.execute(select(entities).where(entities.c.id == entity_id)).one()
        if row.merged_into is None:
            raise Conflict(f"{entity_id} is not merged into another entity")
        conn.execute(
            entities.update()
            .where(entities.c.id == entity_id)
            .values(merged_into=None, merged_by=None, merged_at=None)
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-unmerge",
            [entity_id, row.merged_into],
            {"was_merged_into": row.merged_into, "merged_at": stamp(row.merged_at)},
        )
        [(_id, alone)] = known_entities(conn, viewer, [entity_id])
        return entity_view(conn, viewer, entity_id, alone, aliases)


def add_alias(ctx: Context, request: AddAlias) -> EntityView:
    """Add a name to an entity (source ``user``; your organisation sees it)."""
    viewer = ctx.viewer
    require_worker(viewer)
    name = " ".join(request.name.split())
    if not name:
        raise BadInput("give the name to add")
    if len(name) > MAX_NAME:
        raise BadInput(f"the name is too long ({len(name)} characters; at most {MAX_NAME})")
    aliases = _ready(ctx)
    now = ctx.now()
    with ctx.database.write() as conn:
        entity_id, group = entity_ref(conn, viewer, request.entity_id)
        if any(n.name == name and n.entity_id == entity_id for n in group.names):
            raise Conflict(f"{entity_id} already has the name {name!r}")
        learn_names(
            ctx.database,
            conn,
            entity_id,
            group.kind,
            [(name, "user")],
            now,
            stix_id=None,
            added_by=viewer.user_id,
        )
        audit.record(ctx.database, conn, viewer, "entity-alias", [entity_id], {"name": name})
        [(_id, grown)] = known_entities(conn, viewer, [entity_id])
        return entity_view(conn, viewer, entity_id, grown, aliases)


def list_review(ctx: Context, request: ListReview) -> list[LinkView]:
    """List the links waiting for your organisation's decision, oldest first."""
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.read() as conn:
        rows = conn.execute(
            select(entity_links)
            .where(review_items_of(viewer))
            .order_by(entity_links.c.created, entity_links.c.stix_id, entity_links.c.entity_id)
            .limit(request.limit)
        ).all()
        shown = links_shown(conn, viewer, rows)
        known = dict(known_entities(conn, viewer, sorted({row.entity_id for row in shown})))
        shown = [row for row in shown if row.entity_id in known]
        return link_views(
            conn, viewer, shown, {eid: group.display_name() for eid, group in known.items()}
        )


def _review_item(conn: Connection, viewer: Viewer, request: LinkRef) -> tuple[Any, Candidate]:
    """Return the review item the viewer names, and its entity's group as they see it."""
    object_id = request.object_id.strip()
    entity_id, group = entity_ref(conn, viewer, request.entity_id)
    rows = conn.execute(
        select(entity_links).where(
            entity_links.c.stix_id == object_id,
            entity_links.c.entity_id == entity_id,
            review_items_of(viewer),
        )
    ).all()
    shown = links_shown(conn, viewer, rows)
    if not shown:
        raise unknown("review item", f"{object_id} {entity_id}")
    return shown[0], group


def accept(ctx: Context, request: LinkRef) -> LinkView:
    """Accept a proposed link: the object is the entity; its names become the entity's
    (source ``review``), and the object's other proposals are rejected."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    with ctx.database.write() as conn:
        row, group = _review_item(conn, viewer, request)
        _decide(conn, row.stix_id, row.entity_id, "accepted", viewer, now)
        others = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == row.stix_id,
                entity_links.c.status == "review",
                entity_links.c.entity_id != row.entity_id,
            )
        ).scalars()
        for other in list(others):
            _decide(conn, row.stix_id, other, "rejected", viewer, now)
        body = latest_stored_bodies(conn, [row.stix_id]).get(row.stix_id)
        subject = subject_of(body) if isinstance(body, dict) else None
        if subject is not None:
            learn_names(
                ctx.database,
                conn,
                row.entity_id,
                group.kind,
                subject_names(subject, SOURCE_REVIEW),
                now,
                stix_id=subject.stix_id,
            )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-review-accept",
            [row.stix_id, row.entity_id],
            {"score": row.score / 1000},
        )
        return _decided_view(conn, viewer, row.stix_id, row.entity_id)


def reject(ctx: Context, request: LinkRef) -> LinkView:
    """Reject a proposed link; once no proposal of the object is left, the object
    becomes an entity of its own."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    with ctx.database.write() as conn:
        row, _group = _review_item(conn, viewer, request)
        _decide(conn, row.stix_id, row.entity_id, "rejected", viewer, now)
        left = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == row.stix_id,
                entity_links.c.status.in_(("review", *LINKED)),
            )
        ).first()
        made = None
        if left is None:
            body = latest_stored_bodies(conn, [row.stix_id]).get(row.stix_id)
            subject = subject_of(body) if isinstance(body, dict) else None
            if subject is not None:
                made = new_entity(ctx.database, conn, subject, now)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-review-reject",
            [row.stix_id, row.entity_id],
            {"score": row.score / 1000, "new_entity": made},
        )
        return _decided_view(conn, viewer, row.stix_id, row.entity_id)


def _decide(
    conn: Connection, stix_id: str, entity_id: str, status: str, viewer: Viewer, now: int
) -> None:
    conn.execute(
        entity_links.update()
        .where(entity_links.c.stix_id == stix_id, entity_links.c.entity_id == entity_id)
        .values(status=status, decided_by=viewer.user_id, decided_at=now)
    )


def _decided_view(conn: Connection, viewer: Viewer, stix_id: str, entity_id: str) -> LinkView:
    row = conn.execute(
        select(entity_links).where(
            entity_links.c.stix_id == stix_id, entity_links.c.entity_id == entity_id
        )
    ).one()
    known = dict(known_entities(conn, viewer, [entity_id]))
    name = known[entity_id].display_name() if entity_id in known else ""
    return link_views(conn, viewer, [row], {entity_id: name})[0]


RESOLVE = register(Operation("entity.resolve", "GET", "/api/resolve", Resolve, resolve))
SHOW = register(
    Operation("entity.show", "GET", "/api/entities/{entity_id}", EntityRef, show_entity)
)
MERGE = register(Operation("entity.merge", "POST", "/api/entities/{entity_id}/merge", Merge, merge))
UNMERGE = register(
    Operation("entity.unmerge", "POST", "/api/entities/{entity_id}/unmerge", EntityRef, unmerge)
)
ALIAS = register(
    Operation("entity.alias", "POST", "/api/entities/{entity_id}/aliases", AddAlias, add_alias)
)
REVIEW_LIST = register(Operation("review.list", "GET", "/api/review", ListReview, list_review))
ACCEPT = register(
    Operation(
        "review.accept", "POST", "/api/review/{object_id}/{entity_id}/accept", LinkRef, accept
    )
)
REJECT = register(
    Operation(
        "review.reject", "POST", "/api/review/{object_id}/{entity_id}/reject", LinkRef, reject
    )
)


__all__ = [
    "ACCEPT",
    "ALIAS",
    "MAX_NAME",
    "MAX_RESULTS",
    "MERGE",
    "REJECT",
    "RESOLVE",
    "REVIEW_LIST",
    "SHOW",
    "UNMERGE",
    "AddAlias",
    "AliasBody",
    "EntityKind",
    "EntityRef",
    "EntityView",
    "LinkRef",
    "LinkView",
    "ListReview",
    "Merge",
    "MergeBody",
    "NameView",
    "Resolve",
    "ResolvedCandidate",
    "accept",
    "add_alias",
    "list_review",
    "merge",
    "reject",
    "resolve",
    "show_entity",
    "unmerge",
]
