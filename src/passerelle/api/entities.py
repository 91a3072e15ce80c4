"""REST API of entity resolution: resolve a name, show an entity, merge and unmerge,
add a name, and the review queue.

Each route serves one operation of :mod:`passerelle.resolution.entities` at that
operation's method and path, exactly as the remote command line sends it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.resolution import entities
from passerelle.resolution.entities import (
    AddAlias,
    AliasBody,
    EntityRef,
    EntityView,
    LinkRef,
    LinkView,
    ListReview,
    Merge,
    MergeBody,
    Resolve,
    ResolvedCandidate,
)

router = APIRouter(prefix="/api")

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed request, or a rule of the request refused it"},
    401: {"description": "Valid credentials are required"},
    403: {"description": "Auditors take no part in entity resolution"},
    404: {"description": "No such entity or review item that you may know of"},
}
_STATE_ERRORS: dict[int | str, dict[str, str]] = {
    **_ERRORS,
    409: {"description": "Already merged, not merged, or the name is already there"},
}


def _path(path: str) -> str:
    return path.removeprefix("/api")


@router.get(_path(entities.RESOLVE.path), responses=_ERRORS, summary="Resolve a name")
def resolve(query: Annotated[Resolve, Query()], ctx: ContextDep) -> list[ResolvedCandidate]:
    """Rank the entities a name (any script or spelling) may be, with scores and reasons;
    only names you may see are compared."""
    return entities.resolve(ctx, query)


@router.get(_path(entities.SHOW.path), responses=_ERRORS, summary="Show an entity")
def show_entity(entity_id: str, ctx: ContextDep) -> EntityView:
    """Show an entity: its names in every script with their sources, its links and the
    objects linked to it, as far as you may see them."""
    return entities.show_entity(ctx, EntityRef(entity_id=entity_id))


@router.post(_path(entities.MERGE.path), responses=_STATE_ERRORS, summary="Merge entities")
def merge(entity_id: str, body: MergeBody, ctx: ContextDep) -> EntityView:
    """Merge an entity into another one it is the same as (reversible with unmerge)."""
    return entities.merge(ctx, Merge(entity_id=entity_id, **body.model_dump()))


@router.post(_path(entities.UNMERGE.path), responses=_STATE_ERRORS, summary="Unmerge an entity")
def unmerge(entity_id: str, ctx: ContextDep) -> EntityView:
    """Undo a merge: the entity stands alone again with its own names and links."""
    return entities.unmerge(ctx, EntityRef(entity_id=entity_id))


@router.post(
    _path(entities.ALIAS.path), status_code=201, responses=_STATE_ERRORS, summary="Add a name"
)
def add_alias(entity_id: str, body: AliasBody, ctx: ContextDep) -> EntityView:
    """Add a name to an entity (source ``user``; your organisation sees it)."""
    return entities.add_alias(ctx, AddAlias(entity_id=entity_id, **body.model_dump()))


@router.get(_path(entities.REVIEW_LIST.path), responses=_ERRORS, summary="List the review queue")
def list_review(query: Annotated[ListReview, Query()], ctx: ContextDep) -> list[LinkView]:
    """List the proposed links of your organisation's objects that wait for a decision."""
    return entities.list_review(ctx, query)


@router.post(_path(entities.ACCEPT.path), responses=_ERRORS, summary="Accept a proposed link")
def accept(object_id: str, entity_id: str, ctx: ContextDep) -> LinkView:
    """Accept a proposed link: the object's names become the entity's (source review)."""
    return entities.accept(ctx, LinkRef(object_id=object_id, entity_id=entity_id))


@router.post(_path(entities.REJECT.path), responses=_ERRORS, summary="Reject a proposed link")
def reject(object_id: str, entity_id: str, ctx: ContextDep) -> LinkView:
    """Reject a proposed link (recorded); with none left, the object becomes an entity."""
    return entities.reject(ctx, LinkRef(object_id=object_id, entity_id=entity_id))
