"""Who is asking: HTTP Basic (username + token, as taxii2-client sends) or a Bearer token.

Every failure answers the same 401, whatever the path, so a caller without valid
credentials learns nothing about what exists on the node. Failures are counted per source
(:mod:`passerelle.audit.logins`): the log gets a bounded number of entries, and a source
that fails too often gets 429 before any database work.

The purpose a request declares (``X-Passerelle-Purpose``) is the caller's text: the log
keeps it without control or format characters, cut to 200 characters.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import urllib.parse
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.http import HTTPBase

from passerelle.audit.log import printable
from passerelle.audit.logins import FailedLogins
from passerelle.errors import BadInput
from passerelle.http.errors import UNAUTHORISED_HEADERS, TaxiiError
from passerelle.policy.directory import viewer_by_token
from passerelle.policy.naming import name_key
from passerelle.policy.viewer import Viewer
from passerelle.settings import PURPOSE_HEADER, PURPOSE_LENGTH, USER_HEADER
from passerelle.store.database import Database


def _unauthorised() -> TaxiiError:
    return TaxiiError(401, "valid credentials are required", UNAUTHORISED_HEADERS)


def _credentials(header: str) -> tuple[str | None, str] | None:
    """Return the username (None for a Bearer token) and token of a header, or None."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return None, value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, token = decoded.partition(":")
        if sep and token:
            return username, token
    return None


def _viewer(database: Database, authorization: str, purpose: str) -> tuple[str, Viewer | None]:
    """Return the username presented and the viewer it authenticates (None if it does not)."""
    credentials = _credentials(authorization)
    if credentials is None:
        return "", None
    username, token = credentials
    with database.read() as conn:
        viewer = viewer_by_token(conn, token, purpose)
    if viewer is None or (
        username is not None
        and not hmac.compare_digest(username.encode("utf-8"), viewer.username.encode("utf-8"))
    ):
        return username or "", None
    return username or "", viewer


def authenticate(
    database: Database,
    logins: FailedLogins,
    source: str,
    authorization: str | None,
    purpose: str = "",
) -> Viewer:
    """Return the viewer behind an Authorization header from ``source``, or raise a uniform
    401 (429 while the source has failed too often)."""
    wait = logins.retry_after(source)
    if wait is not None:
        raise TaxiiError(
            429, "too many failed logins from this address", {"Retry-After": str(wait)}
        )
    if not authorization:
        raise _unauthorised()
    username, viewer = _viewer(database, authorization, purpose)
    if viewer is None:
        logins.failed(database, source, username)
        raise _unauthorised()
    return viewer


# Declared for the OpenAPI document only (so /docs has an Authorize button); the header is
# read and checked below, each failure the same 401. Neither raises on its own.
_BEARER = HTTPBearer(scheme_name="bearer", description="Your API token (psl_...)", auto_error=False)
_BASIC = HTTPBase(
    scheme="basic",
    scheme_name="basic",
    description="Your username and API token as the password (what TAXII clients send)",
    auto_error=False,
)
_Declared = Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)]
_DeclaredBasic = Annotated[HTTPAuthorizationCredentials | None, Security(_BASIC)]


def current_viewer(
    request: Request, _bearer: _Declared = None, _basic: _DeclaredBasic = None
) -> Viewer:
    """FastAPI dependency: the authenticated viewer of this request.

    A request that names who acts (``X-Passerelle-User``, what ``--user`` sends with
    ``--url``) is refused unless the token is that user's: nobody acts as someone else
    without knowing it.
    """
    database: Database = request.app.state.database
    logins: FailedLogins = request.app.state.logins
    viewer = authenticate(
        database,
        logins,
        request.client.host if request.client else "",
        request.headers.get("authorization"),
        declared_purpose(request.headers.get(PURPOSE_HEADER, "")),
    )
    claimed = request.headers.get(USER_HEADER)
    if claimed is not None:
        claimed = urllib.parse.unquote(claimed)
    if claimed is not None and name_key(claimed.strip()) != name_key(viewer.username):
        raise BadInput(
            f"this token is not {printable(claimed).strip()[:64]!r}'s: act as its owner, "
            "or use the token of the user you name"
        )
    return viewer


def declared_purpose(header: str) -> str:
    """Return the purpose a request declares as the log keeps it: printable, cut to 200."""
    # Controls and format characters go first, so that none can hide the cut or the ends.
    return printable(header).strip()[:PURPOSE_LENGTH]
