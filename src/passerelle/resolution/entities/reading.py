"""Resolving a name to the entities it may be, and showing an entity, as the asker may
know them."""

from __future__ import annotations

from passerelle.core.context import Context
from passerelle.errors import BadInput
from passerelle.policy.workflow import require_worker
from passerelle.resolution.aliases import AliasData, ensure_loaded, is_loaded, load_alias_data
from passerelle.resolution.candidates import Match, find_candidates, rank
from passerelle.resolution.entities.models import (
    MAX_NAME,
    Decision,
    EntityRef,
    Resolve,
    ResolvedCandidate,
)
from passerelle.resolution.linking import AUTO, REVIEW
from passerelle.resolution.names import Kind, name_keys
from passerelle.resolution.subjects import facts_of
from passerelle.resolution.views import EntityView, entity_ref, entity_view

_KINDS: tuple[Kind, ...] = ("person", "organization", "location")


def ready(ctx: Context) -> AliasData:
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
    ready(ctx)
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
    aliases = ready(ctx)
    with ctx.database.read() as conn:
        entity_id, group = entity_ref(conn, ctx.viewer, request.entity_id)
        return entity_view(conn, ctx.viewer, entity_id, group, aliases)
