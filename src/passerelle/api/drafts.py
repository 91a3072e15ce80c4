"""REST API of intake's drafts under review (``/api/intake/drafts``).

Each route serves one operation of :mod:`passerelle.intake.review` at that operation's
method and path: path fields in the path, the other fields in the JSON body (POST) or the
query string (GET), exactly as the remote command line sends them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.intake import review
from passerelle.intake.review import (
    Correct,
    CorrectBody,
    Decide,
    DecideBody,
    DraftRef,
    DraftSummary,
    DraftView,
    Element,
    ListDrafts,
    Published,
    StoreDraft,
)

router = APIRouter(prefix="/api")

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed request, or a rule of the request refused it"},
    401: {"description": "Valid credentials are required"},
    403: {"description": "Auditors take no part; or you may not write into the channel"},
    404: {"description": "No such draft, element or channel that you may know of"},
}
_STATE_ERRORS: dict[int | str, dict[str, str]] = {
    **_ERRORS,
    409: {"description": "The draft was published already, or elements are still pending"},
}


def _path(operation_path: str) -> str:
    return operation_path.removeprefix("/api")


@router.post(_path(review.STORE.path), status_code=201, responses=_ERRORS, summary="Store a draft")
def store_draft(body: StoreDraft, ctx: ContextDep) -> DraftView:
    """Store an intake draft for review, for a channel you may write into: the bundle
    ``passerelle intake`` printed, or the article text for the node to read."""
    return review.store_draft(ctx, body)


@router.get(_path(review.LIST.path), responses=_ERRORS, summary="List drafts")
def list_drafts(query: Annotated[ListDrafts, Query()], ctx: ContextDep) -> list[DraftSummary]:
    """List your organisation's drafts, newest first; published ones only with ``all``."""
    return review.list_drafts(ctx, query)


@router.get(_path(review.SHOW.path), responses=_ERRORS, summary="Show a draft")
def show_draft(draft_id: str, ctx: ContextDep) -> DraftView:
    """Show a draft of your organisation and its elements."""
    return review.show_draft(ctx, DraftRef(draft_id=draft_id))


@router.post(_path(review.ACCEPT.path), responses=_STATE_ERRORS, summary="Accept an element")
def accept_element(draft_id: str, element: str, body: DecideBody, ctx: ContextDep) -> Element:
    """Accept an element of a draft as it is."""
    request = Decide(draft_id=draft_id, element=element, **body.model_dump())
    return review.accept_element(ctx, request)


@router.post(_path(review.REJECT.path), responses=_STATE_ERRORS, summary="Reject an element")
def reject_element(draft_id: str, element: str, body: DecideBody, ctx: ContextDep) -> Element:
    """Reject an element of a draft: it will not be published."""
    request = Decide(draft_id=draft_id, element=element, **body.model_dump())
    return review.reject_element(ctx, request)


@router.post(_path(review.CORRECT.path), responses=_STATE_ERRORS, summary="Correct an element")
def correct_element(draft_id: str, element: str, body: CorrectBody, ctx: ContextDep) -> Element:
    """Correct an element of a draft (name, label or the whole object); it is accepted."""
    request = Correct(draft_id=draft_id, element=element, **body.model_dump())
    return review.correct_element(ctx, request)


@router.post(_path(review.PUBLISH.path), responses=_STATE_ERRORS, summary="Publish a draft")
def publish_draft(draft_id: str, ctx: ContextDep) -> Published:
    """Publish a reviewed draft: its accepted elements and its report go into its channel."""
    return review.publish_draft(ctx, DraftRef(draft_id=draft_id))
