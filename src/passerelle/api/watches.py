"""REST API of the exchange workflow: watches.

Each route serves one operation of :mod:`passerelle.exchange.watches` at that operation's
method and path: path fields in the path, the other fields in the JSON body (POST) or
the query string (GET), exactly as the remote command line sends them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.exchange import watches
from passerelle.exchange.watches import (
    AddWatch,
    EndBody,
    EndWatch,
    ExtendBody,
    ExtendWatch,
    Hit,
    ListHits,
    ListWatches,
    Watch,
    WatchRef,
)

router = APIRouter(prefix="/api")

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed request, or a rule of the request refused it"},
    401: {"description": "Valid credentials are required"},
    403: {"description": "Auditors take no part in the exchange workflow"},
    404: {"description": "No such watch, user or object that you may know of"},
}
_STATE_ERRORS: dict[int | str, dict[str, str]] = {
    **_ERRORS,
    409: {"description": "Already on watch, or the watch has ended"},
}


@router.post(
    watches.ADD.path.removeprefix("/api"),
    status_code=201,
    responses=_STATE_ERRORS,
    summary="Add a watch",
)
def add_watch(body: AddWatch, ctx: ContextDep) -> Watch:
    """Put a subject (STIX id), a name or an observable on watch for a user of your
    organisation, until a date (one year by default)."""
    return watches.add_watch(ctx, body)


@router.get(watches.LIST.path.removeprefix("/api"), responses=_ERRORS, summary="List watches")
def list_watches(query: Annotated[ListWatches, Query()], ctx: ContextDep) -> list[Watch]:
    """List your organisation's watches, newest first; ended ones only with ``all``."""
    return watches.list_watches(ctx, query)


@router.get(watches.HITS.path.removeprefix("/api"), responses=_ERRORS, summary="List watch hits")
def list_hits(query: Annotated[ListHits, Query()], ctx: ContextDep) -> list[Hit]:
    """List your organisation's watch hits on objects you may see, newest first."""
    return watches.list_hits(ctx, query)


@router.get(watches.SHOW.path.removeprefix("/api"), responses=_ERRORS, summary="Show a watch")
def show_watch(watch_id: str, ctx: ContextDep) -> Watch:
    """Show one watch of your organisation, with the keys it matches on."""
    return watches.show_watch(ctx, WatchRef(watch_id=watch_id))


@router.post(watches.END.path.removeprefix("/api"), responses=_STATE_ERRORS, summary="End a watch")
def end_watch(watch_id: str, body: EndBody, ctx: ContextDep) -> Watch:
    """End a watch of your organisation, with a reason; it stops matching at once."""
    return watches.end_watch(ctx, EndWatch(watch_id=watch_id, **body.model_dump()))


@router.post(
    watches.EXTEND.path.removeprefix("/api"), responses=_STATE_ERRORS, summary="Extend a watch"
)
def extend_watch(watch_id: str, body: ExtendBody, ctx: ContextDep) -> Watch:
    """Move the end of a watch of your organisation to a later day."""
    return watches.extend_watch(ctx, ExtendWatch(watch_id=watch_id, **body.model_dump()))
