"""Handling endpoints that are no workflow operation: the extension definition, the
organisations' identities, and acknowledging H3 restrictions. Written like the generated
routes: full paths, one error map.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from passerelle.api.deps import ViewerDep
from passerelle.api.routes import error_responses
from passerelle.audit import log as audit
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.objects import grants
from passerelle.policy.directory import partner_names
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
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


class GrantRequest(BaseModel):
    """A producer's grant of one use its handling rules forbid: exactly one of ``channel``
    (onward sharing into it: its collection id, or a channel of yours), ``court`` (use in
    court, by ``court_to`` or any organisation), ``federate_to`` (pushing it to the peer
    that speaks for that organisation) or ``forward_to`` with ``forward_by`` (the node of
    ``forward_by`` may forward it to ``forward_to``: a new version carrying the grant)."""

    object_id: str = Field(min_length=1, max_length=200)
    channel: str | None = Field(None, max_length=200)
    court: bool = False
    court_to: str | None = Field(None, max_length=200)
    federate_to: str | None = Field(None, max_length=200)
    forward_to: str | None = Field(None, max_length=200)
    forward_by: str | None = Field(None, max_length=200)


@router.post(
    "/api/grants",
    summary="Grant a use",
    responses=error_responses(BadInput, Forbidden, NotFound),
)
def grant_use(body: GrantRequest, request: Request, viewer: ViewerDep) -> dict[str, str]:
    """As the producer of an object, allow one use its handling rules forbid (audited; a
    refused grant is audited too)."""
    state = request.app.state
    return grants.grant(state.database, viewer, grants.Grant(**body.model_dump()), state.hooks)


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
    text = grants.acknowledge(database, viewer, body.object_id)
    return {"object_id": body.object_id, "acknowledged": text}


def _auditor(database: Database, viewer: Viewer, what: str) -> None:
    """Refuse (and audit the refusal) unless the caller is an auditor."""
    if viewer.role is not Role.AUDITOR:
        audit.record_alone(database, viewer, "read-audit-refused", [], {"asked": what})
        raise Forbidden("only an auditor may read the audit log")


@router.get(
    "/api/audit",
    summary="Read the audit log",
    responses=error_responses(Forbidden),
)
def read_audit(
    request: Request,
    viewer: ViewerDep,
    object_id: Annotated[str | None, Query(alias="object", max_length=200)] = None,
    user: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Return the entries of your organisation's people (auditors only), oldest first,
    optionally about one object or by one user; the read is itself an entry. The whole
    node's log is read on the node (`passerelle audit show`)."""
    database: Database = request.app.state.database
    _auditor(database, viewer, "show")
    with database.write() as conn:
        found = audit.entries(conn, object_id, user)
        detail = {"object": object_id, "user": user, "remote": True}
        audit.record(database, conn, viewer, "read-audit", [], detail)
    return [e.as_dict() for e in found if e.org_name == viewer.org_name]


@router.get(
    "/api/audit/verify",
    summary="Verify the audit log",
    responses=error_responses(Forbidden),
)
def verify_audit(request: Request, viewer: ViewerDep) -> dict[str, Any]:
    """Check the log's keyed chain (auditors only): whether it is intact, how many entries,
    its head hash, or the first break."""
    database: Database = request.app.state.database
    _auditor(database, viewer, "verify")
    assert database.audit_key is not None  # the node opens its database with its key
    with database.read() as conn:
        verdict = audit.verify(conn, database.audit_key)
    return {
        "ok": verdict.ok,
        "checked": verdict.checked,
        "head": verdict.head,
        "problem": verdict.problem,
        "keyed_from": verdict.keyed_from,
    }
