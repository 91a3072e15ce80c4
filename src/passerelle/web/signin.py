"""Signing in and out, and choosing the page language.

A failed sign-in counts against its source in the node's failed-login register, as a
failed API token does (:mod:`passerelle.audit.logins`): the same window and limit, the
same audit entries, 429 while the source has failed too often. Signing in records the
purpose the user declares, once for the session, as ``X-Passerelle-Purpose`` does per
API request; every entry the session's actions write carries it.

The sign-in form cannot carry a session's token, so it carries a double-submit one: a
random value both in a ``SameSite=Strict`` cookie and in the form, which another site
can neither read nor make the browser send.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import FormData

from passerelle.audit import log as audit
from passerelle.audit.logins import FailedLogins
from passerelle.http.auth import declared_purpose
from passerelle.policy.passwords import viewer_by_password
from passerelle.policy.viewer import Viewer
from passerelle.store.database import Database
from passerelle.web.access import (
    CSRF_FIELD,
    checked_form,
    field,
    limits_of,
    local_path,
    page,
    read_form,
    refused,
    signed_in,
)
from passerelle.web.language import LANGUAGE_COOKIE, LANGUAGES
from passerelle.web.links import LINK_PATH, use_link
from passerelle.web.sessions import SESSION_COOKIE, WebSession, end_session, start_session

router = APIRouter(include_in_schema=False)

SIGNIN_COOKIE: Final = "passerelle_signin"
_YEAR: Final = 365 * 24 * 3600


def _cookie(answer: Response, name: str, value: str, max_age: int | None = None) -> None:
    answer.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def _form(request: Request, status: int = 200, problem: str = "", link: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    answer = page(
        request,
        "signin.html",
        status,
        csrf=token,
        problem=problem,
        next=local_path(request.query_params.get("next")),
        action=LINK_PATH + link if link else "/signin",
    )
    _cookie(answer, SIGNIN_COOKIE, token)
    return answer


@router.get("/signin")
def signin_form(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return _form(request)


def _double_submitted(request: Request, form: FormData) -> bool:
    presented, expected = form.get(CSRF_FIELD), request.cookies.get(SIGNIN_COOKIE, "")
    return bool(isinstance(presented, str) and expected) and hmac.compare_digest(
        str(presented).encode("utf-8"), expected.encode("utf-8")
    )


def _opened(
    request: Request, viewer: Viewer, conn: Connection, via: str, next_path: str
) -> Response:
    """Open a session for a signed-in viewer (in the sign-in's transaction) and go on."""
    state = request.app.state
    session_id = start_session(conn, viewer, state.clock(), limits_of(request))
    source = request.client.host if request.client else ""
    audit.record(state.database, conn, viewer, "web-signin", [], {"source": source, "via": via})
    onward = RedirectResponse(local_path(next_path), status_code=303)
    _cookie(onward, SESSION_COOKIE, session_id)
    onward.delete_cookie(SIGNIN_COOKIE, path="/")
    return onward


def _refusal(request: Request, form: FormData, link: str = "") -> Response | None:
    """Refuse a sign-in before any credential is read: a form from elsewhere (403), a
    source that failed too often (429), no purpose (400)."""
    if not _double_submitted(request, form):
        return refused(request, None)
    logins: FailedLogins = request.app.state.logins
    wait = logins.retry_after(request.client.host if request.client else "")
    if wait is not None:
        answer = _form(request, 429, "too-many", link)
        answer.headers["Retry-After"] = str(wait)
        return answer
    if not declared_purpose(field(form, "purpose")):
        return _form(request, 400, "purpose", link)
    return None


@router.post("/signin")
async def signin(request: Request) -> Response:
    """Check the credentials, open a session for the declared purpose, go on."""
    form = await read_form(request)
    refusal = _refusal(request, form)
    if refusal is not None:
        return refusal
    database: Database = request.app.state.database
    username, purpose = field(form, "username"), declared_purpose(field(form, "purpose"))
    password = form.get("password")
    with database.write() as conn:
        viewer = viewer_by_password(
            conn, username, password if isinstance(password, str) else "", purpose
        )
        if viewer is not None:
            return _opened(request, viewer, conn, "password", field(form, "next"))
    _failed(request, username)
    return _form(request, 401, "wrong")


def _failed(request: Request, username: str) -> None:
    logins: FailedLogins = request.app.state.logins
    source = request.client.host if request.client else ""
    logins.failed(request.app.state.database, source, username)


@router.get(LINK_PATH + "{token}")
def link_form(request: Request, token: str) -> HTMLResponse:
    """The sign-in form of a one-time link: only the purpose to declare (opening the page
    spends nothing, so a link previewer cannot use it up)."""
    return _form(request, link=token)


@router.post(LINK_PATH + "{token}")
async def signin_by_link(request: Request, token: str) -> Response:
    """Spend a one-time link, open a session for the declared purpose, go on."""
    form = await read_form(request)
    refusal = _refusal(request, form, token)
    if refusal is not None:
        return refusal
    state = request.app.state
    database: Database = state.database
    with database.write() as conn:
        viewer = use_link(conn, token, state.clock(), declared_purpose(field(form, "purpose")))
        if viewer is not None:
            return _opened(request, viewer, conn, "link", "/")
    _failed(request, "(one-time link)")
    return _form(request, 401, "link", token)


@router.post("/signout")
async def signout(request: Request, session: Annotated[WebSession, Depends(signed_in)]) -> Response:
    """End the session."""
    if await checked_form(request, session) is None:
        return refused(request, session)
    database: Database = request.app.state.database
    with database.write() as conn:
        end_session(conn, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(database, conn, session.viewer, "web-signout")
    answer = RedirectResponse("/signin", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer


@router.get("/language/{language}")
def choose_language(request: Request, language: str) -> Response:
    """Show the pages in this language from now on (a cookie), then go back."""
    answer = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    if language in LANGUAGES:
        _cookie(answer, LANGUAGE_COOKIE, language, max_age=_YEAR)
    return answer
