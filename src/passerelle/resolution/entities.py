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

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import MIN_PREFIX, unknown
from passerelle.errors import BadInput, Conflict
from passerelle.keys.names import NAME_PREFIX, ExactNames
from passerelle.objects.latest import latest_stored_bodies
from passerelle.policy.entities import (
    link_object_visible,
    name_visible,
    review_items_of,
    visible_objects,
)
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.resolution import linking
from passerelle.resolution.aliases import (
    AliasData,
    alias_key_of,
    ensure_loaded,
    is_loaded,
    load_alias_data,
)
from passerelle.resolution.aliases import source_description as _describe_source
from passerelle.resolution.linking import (
    AUTO,
    REVIEW,
    Candidate,
    Match,
    find_candidates,
    learn_names,
    rank,
    read_explanation,
    roots_of,
    subject_names,
    subject_of,
)
from passerelle.resolution.names import Kind, name_keys, normalise
from passerelle.store.schema import entities, entity_links, entity_names, users

EntityKind = Literal["person", "organization", "location"]
Decision = Literal["match", "review", "weak"]
LinkStatus = Literal["auto", "review", "accepted", "rejected"]
MAX_NAME: Final = 300
MAX_RESULTS: Final = 50
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PREFIX: Final = re.compile(r"^[0-9a-f-]+$")
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


# The name matcher of watches ------------------------------------------------------------

_MAX_KEY: Final = 256


class ResolvingNames:
    """Watch keys through resolution: the romanised form of a name (``Царнаев`` and
    ``Tsarnaev`` meet), the exact form (as :class:`ExactNames`), and the alias-file entity
    it names (``Daesh`` and ``ИГИЛ`` meet as ``name:entity:islamic-state``)."""

    _exact = ExactNames()

    def __init__(self, aliases: AliasData) -> None:
        self._aliases = aliases

    def keys(self, name: str, kind: str) -> set[str]:
        """Return the keys of a name, each starting with ``name:``."""
        del kind
        keys = self._exact.keys(name, "")
        form = normalise(name[:MAX_NAME], "person")
        if form:
            keys.add(_bounded(NAME_PREFIX + form))
        entity_key = alias_key_of(name[:MAX_NAME], self._aliases)
        if entity_key:
            keys.add(NAME_PREFIX + "entity:" + entity_key)
        return keys


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return NAME_PREFIX + "sha256:" + hashlib.sha256(key.encode()).hexdigest()


# Reading --------------------------------------------------------------------------------


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


def _entity_ref(conn: Connection, viewer: Viewer, reference: str) -> tuple[str, Candidate]:
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
    known = _known(conn, viewer, rows)
    if not known:
        raise unknown("entity", reference)
    if len(known) > 1:
        raise BadInput(f"entity {reference.strip()[:80]!r} is ambiguous: give more of its id")
    return known[0]


def _known(conn: Connection, viewer: Viewer, ids: Sequence[str]) -> list[tuple[str, Candidate]]:
    """Return the entities among ``ids`` that the viewer knows, each with its group."""
    if not ids:
        return []
    present = set(conn.execute(select(entities.c.id).where(entities.c.id.in_(ids))).scalars())
    roots = roots_of(conn, present)
    groups = linking.candidates_for(conn, viewer, set(roots.values()))
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
    return set(linking.members_of(conn, [entity_id]))


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


def _links_shown(conn: Connection, viewer: Viewer, rows: Sequence[Any]) -> list[Any]:
    """Keep the links whose justifying name (``via``) the viewer may see too."""
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


def _link_views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], entity_names_by_id: dict[str, str]
) -> list[LinkView]:
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


def _view(
    conn: Connection, viewer: Viewer, entity_id: str, group: Candidate, aliases: AliasData
) -> EntityView:
    members = linking.members_of(conn, [group.entity_id])
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
        for row in _links_shown(conn, viewer, link_rows)
        if row.status != "review" or _reviewable(conn, viewer, row)
    ]
    display = group.display_name()
    links = _link_views(conn, viewer, shown, dict.fromkeys(members, display))
    return EntityView(
        id=group.entity_id,
        kind=group.kind,
        name=display,
        merged_into=group.entity_id if entity_id != group.entity_id else None,
        members=known_members,
        names=names,
        scripts=sorted({n.script for n in names}),
        links=links,
        objects=sorted({v.object_id for v in links if v.status in linking.LINKED}),
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


# Operations -----------------------------------------------------------------------------


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
    facts = linking.facts_of(
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
        entity_id, group = _entity_ref(conn, ctx.viewer, request.entity_id)
        return _view(conn, ctx.viewer, entity_id, group, aliases)


def merge(ctx: Context, request: Merge) -> EntityView:
    """Merge an entity into another one it is the same as; ``unmerge`` undoes it."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = _ready(ctx)
    now = ctx.now()
    with ctx.database.write() as conn:
        entity_id, group = _entity_ref(conn, viewer, request.entity_id)
        into_id, into = _entity_ref(conn, viewer, request.into)
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
        [(_id, merged)] = _known(conn, viewer, [into.entity_id])
        return _view(conn, viewer, into.entity_id, merged, aliases)


def unmerge(ctx: Context, request: EntityRef) -> EntityView:
    """Undo a merge: the entity stands alone again, with its names and links as before."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = _ready(ctx)
    with ctx.database.write() as conn:
        entity_id, _group = _entity_ref(conn, viewer, request.entity_id)
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
        [(_id, alone)] = _known(conn, viewer, [entity_id])
        return _view(conn, viewer, entity_id, alone, aliases)


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
        entity_id, group = _entity_ref(conn, viewer, request.entity_id)
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
        [(_id, grown)] = _known(conn, viewer, [entity_id])
        return _view(conn, viewer, entity_id, grown, aliases)


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
        shown = _links_shown(conn, viewer, rows)
        known = dict(_known(conn, viewer, sorted({row.entity_id for row in shown})))
        shown = [row for row in shown if row.entity_id in known]
        return _link_views(
            conn, viewer, shown, {eid: group.display_name() for eid, group in known.items()}
        )


def _review_item(conn: Connection, viewer: Viewer, request: LinkRef) -> tuple[Any, Candidate]:
    """Return the review item the viewer names, and its entity's group as they see it."""
    object_id = request.object_id.strip()
    entity_id, group = _entity_ref(conn, viewer, request.entity_id)
    rows = conn.execute(
        select(entity_links).where(
            entity_links.c.stix_id == object_id,
            entity_links.c.entity_id == entity_id,
            review_items_of(viewer),
        )
    ).all()
    shown = _links_shown(conn, viewer, rows)
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
                subject_names(subject, linking.SOURCE_REVIEW),
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
                entity_links.c.status.in_(("review", *linking.LINKED)),
            )
        ).first()
        made = None
        if left is None:
            body = latest_stored_bodies(conn, [row.stix_id]).get(row.stix_id)
            subject = subject_of(body) if isinstance(body, dict) else None
            if subject is not None:
                made = linking.new_entity(ctx.database, conn, subject, now)
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
    known = dict(_known(conn, viewer, [entity_id]))
    name = known[entity_id].display_name() if entity_id in known else ""
    return _link_views(conn, viewer, [row], {entity_id: name})[0]


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
