"""Who is asking: HTTP Basic (username + token, as taxii2-client sends) or a Bearer token.

Every failure answers the same 401, whatever the path, so a caller without valid
credentials learns nothing about what exists on the node.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Request

from passerelle.audit.log import record_alone
from passerelle.http.errors import UNAUTHORISED_HEADERS, TaxiiError
from passerelle.policy.directory import viewer_by_token
from passerelle.policy.viewer import Viewer
from passerelle.store.database import Database

PURPOSE_HEADER = "X-Passerelle-Purpose"


def _unauthorised() -> TaxiiError:
    return TaxiiError(401, "valid credentials are required", UNAUTHORISED_HEADERS)


def _credentials(header: str) -> tuple[str | None, str]:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return None, value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _unauthorised() from exc
        username, sep, token = decoded.partition(":")
        if sep and token:
            return username, token
    raise _unauthorised()


def authenticate(database: Database, authorization: str | None, purpose: str = "") -> Viewer:
    """Return the viewer behind an Authorization header, or raise a uniform 401."""
    if not authorization:
        raise _unauthorised()
    username, token = _credentials(authorization)
    with database.read() as conn:
        viewer = viewer_by_token(conn, token, purpose)
    if viewer is None or (
        username is not None
        and not hmac.compare_digest(username.encode("utf-8"), viewer.username.encode("utf-8"))
    ):
        record_alone(database, None, "login-failed", username=(username or "")[:200])
        raise _unauthorised()
    return viewer


def current_viewer(request: Request) -> Viewer:
    """FastAPI dependency: the authenticated viewer of this request."""
    database: Database = request.app.state.database
    return authenticate(
        database,
        request.headers.get("authorization"),
        request.headers.get(PURPOSE_HEADER, "").strip()[:200],
    )
