"""Entities: resolving names, showing what is known of an entity, the review queue,
reversible merges and user-added names; each an :class:`Operation` that the REST API and
the command line both call.

Who sees what is decided in :mod:`passerelle.policy.entities`: a name is shown only to
those who may see the version it came from, a link only to those who may see the version
it was decided on and the name that justified it, and an entity is known only through a
name one may see; an entity one may not know of answers exactly like an id that does not
exist. Merges and user-added names are their organisation's own
(:mod:`passerelle.policy.entity_groups`). Every decision (accept, reject, merge, unmerge,
a name added) goes to the audit log.

The operations live in :mod:`.reading` (resolve, show), :mod:`.merging` (merge, unmerge,
add a name) and :mod:`.review` (the review queue); their requests and answers in
:mod:`.models`. Links are named by their object and entity: ``review accept OBJECT_ID
ENTITY``.
"""

from __future__ import annotations

from passerelle.core.operations import Operation, register
from passerelle.resolution.entities.merging import add_alias, merge, unmerge
from passerelle.resolution.entities.models import (
    MAX_NAME,
    MAX_RESULTS,
    AddAlias,
    AliasBody,
    EntityRef,
    LinkRef,
    ListReview,
    Merge,
    MergeBody,
    Resolve,
    ResolvedCandidate,
)
from passerelle.resolution.entities.reading import resolve, show_entity
from passerelle.resolution.entities.review import accept, list_review, reject
from passerelle.resolution.views import EntityKind, EntityView, LinkView, NameView

# Resolving a name and showing an entity tell who the viewer looked into: audited reads.
RESOLVE = register(
    Operation("entity.resolve", "GET", "/api/resolve", Resolve, resolve, audited_read=True)
)
SHOW = register(
    Operation(
        "entity.show", "GET", "/api/entities/{entity_id}", EntityRef, show_entity, audited_read=True
    )
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
