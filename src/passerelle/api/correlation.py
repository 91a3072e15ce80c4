"""REST API of correlation: the objects that share observables or entities with an object,
and the objects that carry a value.

Each route serves one operation of :mod:`passerelle.correlation.queries` at that
operation's method and path, exactly as the remote command line calls it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from passerelle.api.deps import ContextDep
from passerelle.correlation import queries
from passerelle.correlation.queries import CorrelateRequest, Correlation, LookupRequest

router = APIRouter(prefix="/api")

_ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed request, or a value that is no observable"},
    401: {"description": "Valid credentials are required"},
    403: {"description": "Auditors take no part in the exchange workflow"},
    404: {"description": "No such object that you may see"},
}


@router.get(
    queries.CORRELATE.path.removeprefix("/api"),
    responses=_ERRORS,
    summary="Correlate an object",
)
def correlate(
    object_id: str,
    ctx: ContextDep,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)] = queries.DEFAULT_LIMIT,
) -> Correlation:
    """List the objects you may see that share an observable (phone number, e-mail
    address, URL, handle, domain, IP address or network, file hash) or a resolved entity
    with an object you may see, grouped by key. Counts include only what you may see."""
    return queries.correlate(ctx, CorrelateRequest(object_id=object_id, limit=limit))


@router.get(queries.LOOKUP.path.removeprefix("/api"), responses=_ERRORS, summary="Look a value up")
def lookup(query: Annotated[LookupRequest, Query()], ctx: ContextDep) -> Correlation:
    """List the objects you may see that carry a value (an address also finds the networks
    holding it; a network the addresses and networks inside it)."""
    return queries.lookup(ctx, query)
