"""Handling endpoints that are no workflow operation: the extension definition, and
acknowledging H3 restrictions. Written like the generated routes: full paths, one error map.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from passerelle.api.deps import ViewerDep
from passerelle.api.routes import error_responses
from passerelle.audit import log as audit
from passerelle.errors import BadInput, NotFound
from passerelle.policy.actions import acknowledge
from passerelle.stix.extension import handling_extension_definition, project_identity
from passerelle.store.database import Database

router = APIRouter()


class AcknowledgementRequest(BaseModel):
    """An acknowledgement of an object's H3 restriction."""

    object_id: str


@router.get(
    "/api/extensions/handling",
    summary="Show the handling extension",
    responses=error_responses(),
)
def handling_extension(viewer: ViewerDep) -> dict[str, Any]:
    """Return the extension-definition of Passerelle's handling extension, with its author."""
    return {
        "type": "bundle",
        "id": "bundle--7f0d3c61-0c5f-4f8e-8f55-2f1d6f3b9c10",
        "objects": [project_identity(), handling_extension_definition()],
    }


@router.post(
    "/api/acknowledgements",
    summary="Acknowledge a restriction",
    responses=error_responses(BadInput, NotFound),
)
def acknowledge_restriction(
    body: AcknowledgementRequest, request: Request, viewer: ViewerDep
) -> dict[str, str]:
    """Acknowledge an object's H3 restriction text, which lifts it for you from now on."""
    database: Database = request.app.state.database
    with database.write() as conn:
        text = acknowledge(conn, viewer, body.object_id)
        audit.record(database, conn, viewer, "acknowledge", [body.object_id])
    return {"object_id": body.object_id, "acknowledged": text}
