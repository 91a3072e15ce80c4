"""Health of a node for a supervisor (systemd, Kubernetes, a load balancer).

Both answers need no credentials and say nothing but the verdict: no version, no counts,
no reason a database failed (that goes to the node's own log).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from passerelle.store.database import Database

router = APIRouter()
_log = logging.getLogger(__name__)


@router.get("/healthz", summary="Say the process is up")
def healthz() -> dict[str, str]:
    """Answer 200 while the process serves requests."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Say the node is ready",
    responses={503: {"description": "The database is unreachable or its schema is not current"}},
)
def readyz(request: Request) -> JSONResponse:
    """Answer 200 when the database is reachable and at the latest migration, else 503."""
    database: Database = request.app.state.database
    try:
        ready = database.schema_current()
    except Exception:  # any failure to reach the database means "not ready", nothing more
        _log.exception("readiness check: the database cannot be read")
        ready = False
    if ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "not ready"}, status_code=503)
