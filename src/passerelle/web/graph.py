"""The graph page: the neighbourhood of an object or an entity, drawn in the browser by
the vendored Cytoscape.js (``static/graph.js``, no inline script), which asks
``/graph/data`` for the nodes around a root and, when a node is clicked, around it.

The data is read by :mod:`.neighbourhood`, through the same operations and objects layer
as every other page: an object or entity the viewer may not know of answers 404 exactly
like one that does not exist, and leaves no node, label or count in anyone's graph.
"""

from __future__ import annotations

from typing import Annotated, Final

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from passerelle.errors import BadInput, Forbidden, NotFound, PasserelleError
from passerelle.web import neighbourhood
from passerelle.web.access import context_of, page, signed_in
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
MAX_REFERENCE: Final = 200


def _root_asked(request: Request) -> tuple[neighbourhood.NodeKind, str]:
    """Return which root the request names (``object=`` or ``entity=``)."""
    params = request.query_params
    entity = params.get("entity", "")[:MAX_REFERENCE].strip()
    obj = params.get("object", "")[:MAX_REFERENCE].strip()
    if bool(entity) == bool(obj):
        raise BadInput("name one object (object=ID) or one entity (entity=ID)")
    return ("entity", entity) if entity else ("object", obj)


def _depth(request: Request) -> int:
    text = request.query_params.get("depth", "1")
    if not text.isdigit() or int(text) > neighbourhood.MAX_DEPTH:
        raise BadInput(f"depth: a whole number from 0 to {neighbourhood.MAX_DEPTH}")
    return int(text)


def _status(exc: PasserelleError) -> int:
    if isinstance(exc, NotFound):
        return 404
    return 403 if isinstance(exc, Forbidden) else 400


@router.get("/graph")
def graph_page(request: Request, session: Session) -> HTMLResponse:
    """The neighbourhood graph of an object or an entity."""
    ctx = context_of(request, session)
    try:
        kind, reference = _root_asked(request)
        root = neighbourhood.root_node(ctx, kind, reference)
    except PasserelleError as exc:
        problem = "not-found" if isinstance(exc, NotFound) else exc.message
        return page(request, "error.html", _status(exc), session, problem=problem)
    return page(
        request,
        "graph.html",
        200,
        session,
        root=root,
        source=f"/graph/data?{root.kind}={root.id}",
    )


@router.get("/graph/data")
def graph_data(request: Request, session: Session) -> Response:
    """The nodes and edges around an object or an entity, ``depth`` steps out (JSON)."""
    ctx = context_of(request, session)
    try:
        kind, reference = _root_asked(request)
        depth = _depth(request)
        root = neighbourhood.root_node(ctx, kind, reference)
        graph = neighbourhood.neighbourhood(ctx, root, depth)
    except PasserelleError as exc:
        message = "nothing here that you may see" if isinstance(exc, NotFound) else exc.message
        return JSONResponse({"error": message}, status_code=_status(exc))
    # orjson: a 5,000-node answer is serialised in a few milliseconds.
    return Response(orjson.dumps(graph.as_elements()), media_type="application/json")
