"""Handling endpoints: the extension definition, and acknowledging H3 restrictions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from passerelle.audit import log as audit
from passerelle.http.auth import current_viewer
from passerelle.policy.actions import acknowledge
from passerelle.policy.viewer import Viewer
from passerelle.stix.extension import handling_extension_definition, project_identity
from passerelle.store.database import Database

router = APIRouter(prefix="/api")

ViewerDep = Annotated[Viewer, Depends(current_viewer)]


class AcknowledgementRequest(BaseModel):
    """An acknowledgement of an object's H3 restriction."""

    object_id: str


@router.get("/extensions/handling")
def handling_extension(viewer: ViewerDep) -> dict[str, Any]:
    """Return the extension-definition of Passerelle's handling extension, with its author."""
    return {
        "type": "bundle",
        "id": "bundle--7f0d3c61-0c5f-4f8e-8f55-2f1d6f3b9c10",
        "objects": [project_identity(), handling_extension_definition()],
    }


@router.post("/acknowledgements")
def acknowledge_restriction(
    body: AcknowledgementRequest, request: Request, viewer: ViewerDep
) -> dict[str, str]:
    """Acknowledge an object's H3 restriction text, which lifts it for you from now on."""
    database: Database = request.app.state.database
    with database.write() as conn:
        text = acknowledge(conn, viewer, body.object_id)
        audit.record(database, conn, viewer, "acknowledge", [body.object_id])
    return {"object_id": body.object_id, "acknowledged": text}
