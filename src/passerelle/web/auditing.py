"""The audit page, for auditors only: the log with filters, and whether its chain holds.

It reads what ``passerelle audit show`` and ``audit verify`` read, under the same rule:
only an auditor reads the log (anyone else is refused with 403), and reading it is
itself audited (``read-audit``), with the filters used.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from passerelle.audit import log as audit
from passerelle.policy.roles import Role
from passerelle.web.access import page, signed_in
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
SHOWN: Final = 200


@router.get("/audit")
def audit_page(request: Request, session: Session) -> HTMLResponse:
    """The audit log, newest first, filtered by user, object and action."""
    if session.viewer.role is not Role.AUDITOR:
        return page(request, "error.html", 403, session, problem="auditors")
    params = request.query_params
    user = params.get("user", "").strip()[:200]
    object_id = params.get("object", "").strip()[:200]
    action = params.get("action", "").strip()[:100]
    database = request.app.state.database
    with database.read() as conn:
        found = audit.entries(conn, object_id or None, user or None)
    # A connection of its own: verify streams the log, which leaves its connection
    # streaming.
    with database.read() as conn:
        verdict = audit.verify(conn, database.audit_key)
    audit.record_alone(
        database,
        session.viewer,
        "read-audit",
        [],
        {"object": object_id or None, "user": user or None, "action": action or None},
    )
    shown = [e for e in reversed(found) if not action or e.action == action]
    return page(
        request,
        "audit.html",
        200,
        session,
        entries=shown[:SHOWN],
        more=len(shown) > SHOWN,
        verdict=verdict,
        asked={"user": user, "object": object_id, "action": action},
    )
