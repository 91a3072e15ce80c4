"""Who is signed in, what their forms must carry, and how pages are answered.

Every page but sign-in needs a live session (:mod:`.sessions`); every POST a form whose
``csrf`` field is the session's synchronizer token, else 403 before anything is done.
Operations run in the same :class:`~passerelle.core.context.Context` as the REST API's,
so a page reads and writes exactly what the API would let its user read and write.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from passerelle.core.context import Context
from passerelle.store.database import Database
from passerelle.web.language import LANGUAGE_COOKIE, ZONE_COOKIE, chosen_language, environment
from passerelle.web.sessions import SESSION_COOKIE, Limits, WebSession, resume_session

CSRF_FIELD: Final = "csrf"


class SignInRequired(Exception):
    """The page needs a live session and the request has none."""


class UnreadableForm(Exception):
    """A posted form holds a NUL character, which no name, text or id may hold."""


def language_of(request: Request) -> str:
    """Return the language of this request's pages."""
    return chosen_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


def page(
    request: Request,
    template: str,
    status: int = 200,
    session: WebSession | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render a template in the request's language, for the signed-in session if any."""
    language = language_of(request)
    html = (
        environment(language)
        .get_template(template)
        .render(
            language=language,
            session=session,
            viewer=session.viewer if session else None,
            here=request.url.path,
            # zone.js writes the zone URL-encoded (Europe%2FParis).
            zone=unquote(request.cookies.get(ZONE_COOKIE, "")[:100]),
            **values,
        )
    )
    return HTMLResponse(html, status_code=status)


def _session(request: Request, touch: bool) -> WebSession:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise SignInRequired
    state = request.app.state
    database: Database = state.database
    with database.write() as conn:
        session = resume_session(conn, session_id, state.clock(), limits_of(request), touch)
    if session is None:
        raise SignInRequired
    return session


def limits_of(request: Request) -> Limits:
    """Return the node's limits of a session's life."""
    web = request.app.state.settings.web
    return Limits(web.idle_timeout, web.lifetime)


def signed_in(request: Request) -> WebSession:
    """FastAPI dependency: the live session of this request, else sign in first."""
    return _session(request, touch=True)


def signed_in_still(request: Request) -> WebSession:
    """FastAPI dependency for what a page refreshes by itself: the live session, left
    as idle as it was (a tab left open must not keep its session alive)."""
    return _session(request, touch=False)


def to_sign_in(request: Request, _exc: Exception) -> Response:
    """Answer a request without a live session: to the sign-in page, then back here (a
    fragment asked by htmx sends the whole page there)."""
    target = "/signin"
    if request.method == "GET" and request.url.path != "/" and not _fragment(request):
        target += "?next=" + quote(request.url.path, safe="/")
    answer: Response = RedirectResponse(target, status_code=303)
    if _fragment(request):
        answer = Response(status_code=200, headers={"HX-Redirect": target})
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer


def _fragment(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def unreadable_form(request: Request, _exc: Exception) -> HTMLResponse:
    """Answer a form holding a NUL character: 400, nothing done."""
    return page(request, "error.html", 400, None, problem="unreadable")


async def read_form(request: Request) -> FormData:
    """Return the posted form; refuse one holding a NUL character (no text may)."""
    form = await request.form()
    if any(isinstance(value, str) and "\x00" in value for value in form.values()):
        raise UnreadableForm
    return form


async def checked_form(request: Request, session: WebSession) -> FormData | None:
    """Return the posted form if it carries the session's CSRF token, else None."""
    form = await read_form(request)
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not session.csrf_matches(token):
        return None
    return form


def refused(request: Request, session: WebSession | None) -> HTMLResponse:
    """Answer a form without the right CSRF token: 403, nothing done."""
    return page(request, "error.html", 403, session, problem="csrf")


def context_of(request: Request, session: WebSession) -> Context:
    """Return the operation context of a signed-in request (as the REST API builds it)."""
    state = request.app.state
    return Context(
        state.database,
        session.viewer,
        state.keys,
        state.hooks,
        state.clock,
        state.settings.exchange,
    )


def local_path(target: str | None, default: str = "/") -> str:
    """Return a path on this node to go to next; anything else (another site) the default."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def field(form: FormData, name: str) -> str:
    """Return a text field of a form ('' when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
