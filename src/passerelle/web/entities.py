"""The entity page and the review queue.

The entity page shows what ``entity.show`` lets its viewer know of an entity (its names
in every script with their sources, its links with their scores explained reason by
reason, the objects linked to it), the other entities its name may be (``entity.resolve``),
and the objects linked to it as :func:`passerelle.web.views.object_views` describes them.
The review queue lists ``review.list``. Accepting, rejecting and splitting (undoing one's
organisation's merge) run the operations ``review.accept``, ``review.reject`` and
``entity.unmerge`` that the REST API and the command line run: no other write path. An
entity the viewer may not know of answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from passerelle.core.context import Context
from passerelle.core.operations import perform
from passerelle.errors import BadInput, Forbidden, NotFound, PasserelleError
from passerelle.resolution import entities
from passerelle.web.access import (
    checked_form,
    context_of,
    field,
    local_path,
    page,
    refused,
    signed_in,
)
from passerelle.web.sessions import WebSession
from passerelle.web.views import object_views

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
QUEUE: Final = 200
SIMILAR: Final = 6
DECISIONS: Final = {"accept": entities.ACCEPT, "reject": entities.REJECT}


def _refusal(request: Request, session: WebSession, exc: PasserelleError) -> HTMLResponse:
    if isinstance(exc, NotFound):
        return page(request, "error.html", 404, session, problem="not-found")
    status = 403 if isinstance(exc, Forbidden) else 400 if isinstance(exc, BadInput) else 409
    return page(request, "error.html", status, session, problem=exc.message)


def _similar(ctx: Context, view: entities.EntityView) -> list[entities.ResolvedCandidate]:
    """The other entities the entity's name may be, scored and explained."""
    if not view.name:
        return []
    found = entities.resolve(
        ctx, entities.Resolve(name=view.name, type=view.kind, limit=SIMILAR + 1)
    )
    own = {view.id, *view.members}
    return [c for c in found if c.entity_id not in own][:SIMILAR]


@router.get("/entities/review")
def review_page(request: Request, session: Session) -> HTMLResponse:
    """The links waiting for the viewer's organisation's decision."""
    ctx = context_of(request, session)
    try:
        items = entities.list_review(ctx, entities.ListReview(limit=QUEUE))
    except PasserelleError as exc:
        return _refusal(request, session, exc)
    return page(request, "review.html", 200, session, items=items, limit=QUEUE)


@router.get("/entities/{reference}")
def entity_page(request: Request, reference: str, session: Session) -> HTMLResponse:
    """One entity: names, candidate matches, linked objects, actions."""
    ctx = context_of(request, session)
    try:
        view = perform(entities.SHOW, ctx, entities.EntityRef(entity_id=reference[:200]))
        similar = _similar(ctx, view)
    except PasserelleError as exc:
        return _refusal(request, session, exc)
    scripts = {script: [n for n in view.names if n.script == script] for script in view.scripts}
    return page(
        request,
        "entity.html",
        200,
        session,
        entity=view,
        asked=reference,
        scripts=scripts,
        candidates=[link for link in view.links if link.status == "review"],
        decided=[link for link in view.links if link.status != "review"],
        similar=similar,
        objects=object_views(ctx, view.objects),
    )


@router.post("/entities/review/{action}")
async def decide(request: Request, action: str, session: Session) -> Response:
    """Accept or reject a proposed link, then go back to the page it was decided on."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    operation = DECISIONS.get(action)
    if operation is None:
        return page(request, "error.html", 404, session, problem="not-found")
    asked = entities.LinkRef(object_id=field(form, "object_id"), entity_id=field(form, "entity_id"))
    try:
        perform(operation, context_of(request, session), asked)
    except PasserelleError as exc:
        return _refusal(request, session, exc)
    return RedirectResponse(local_path(field(form, "next"), "/entities/review"), status_code=303)


@router.post("/entities/{reference}/split")
async def split(request: Request, reference: str, session: Session) -> Response:
    """Undo the viewer's organisation's merge of this entity into another."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    try:
        view = perform(
            entities.UNMERGE,
            context_of(request, session),
            entities.EntityRef(entity_id=reference[:200]),
        )
    except PasserelleError as exc:
        return _refusal(request, session, exc)
    return RedirectResponse(local_path(field(form, "next"), f"/entities/{view.id}"), 303)
