"""Handling endpoints that are no workflow operation: the extension definition, the
organisations' identities, and acknowledging H3 restrictions. Written like the generated
routes: full paths, one error map.
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
from passerelle.policy.directory import partner_names
from passerelle.stix.extension import handling_extension_definition, project_identity
from passerelle.stix.organisations import organisation_identity
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


@router.get(
    "/api/identities",
    summary="List the organisations' identities",
    responses=error_responses(),
)
def organisation_identities(request: Request, viewer: ViewerDep) -> dict[str, Any]:
    """Return the STIX identities the node publishes for your organisation and its partners
    (those sharing a channel with it): what ``created_by_ref`` of the objects they produced
    names when the objects name no author of their own."""
    database: Database = request.app.state.database
    with database.read() as conn:
        names = partner_names(conn, viewer.org_id)
    return {
        "type": "bundle",
        "id": "bundle--0b6d6a4c-2f51-4a43-9d0e-6f7267616e73",
        "objects": [organisation_identity(name) for name in [viewer.org_name, *names]],
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
