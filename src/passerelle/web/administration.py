"""The administration page, for an organisation's admins: its users (add, disable, enable,
change role, issue a new token, shown once), its declared clients, its name, and the
channels it is a member of (rename, lower its own rights or leave).

Every read and change runs the administration's operation the REST API serves under
``/api/admin`` (``admin.*``) through :func:`~passerelle.core.operations.perform`, in the
same context: it is checked and audited with before/after exactly as there, and a refusal
is audited too. Anyone but an admin is refused (403, as the REST API answers); a user or
channel outside the admin's organisation is not found (404), whether or not it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from passerelle.admin import operations as admin
from passerelle.admin.node import is_operator
from passerelle.core.context import Context
from passerelle.core.operations import Operation, perform
from passerelle.errors import Forbidden, NotFound, PasserelleError
from passerelle.web.access import checked_form, context_of, field, page, refused, signed_in
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
Run = Callable[[Context, FormData], Any]
ROLES: Final = ("admin", "analyst", "liaison", "auditor", "node")
DISABLED: Final = " (disabled)"


def problem_of(exc: Exception) -> str:
    """Return what a refused form is told (a validation error's fields, or the reason)."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e['loc'][-1] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
    return exc.message if isinstance(exc, PasserelleError) else str(exc)


def _users(found: admin.OrganisationView) -> list[dict[str, Any]]:
    """The users as the page lists them: name, role, and whether they are disabled."""
    return [
        {
            "username": user.username,
            "role": user.role.removesuffix(DISABLED),
            "disabled": user.role.endswith(DISABLED),
        }
        for user in found.users
    ]


def admin_page(
    request: Request,
    session: WebSession,
    status: int = 200,
    problem: str = "",
    token: admin.NewToken | None = None,
) -> HTMLResponse:
    """Render the administration page (its reads are the REST API's, refused alike)."""
    ctx = context_of(request, session)
    try:
        found = perform(admin.ORG, ctx, admin.Nothing())
        channels = perform(admin.CHANNELS, ctx, admin.Nothing())
    except Forbidden:
        return page(request, "error.html", 403, session, problem="admins")
    return page(
        request,
        "admin.html",
        status,
        session,
        organisation=found,
        users=_users(found),
        channels=channels,
        roles=ROLES,
        token=token,
        operator=is_operator(ctx.database, session.viewer),
        problem=problem,
    )


async def _act(request: Request, session: WebSession, run: Run) -> Response:
    """Run an administration operation from a form carrying the session's token; a new
    token is shown on the page (this once), anything else goes back to the page."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    try:
        result = run(context_of(request, session), form)
    except NotFound:
        return page(request, "error.html", 404, session, problem="not-found")
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=problem_of(exc))
    except (ValidationError, PasserelleError) as exc:
        status = 400 if isinstance(exc, ValidationError) else 409
        return admin_page(request, session, status, problem_of(exc))
    if isinstance(result, admin.NewToken):
        return admin_page(request, session, 200, token=result)
    return RedirectResponse("/admin", status_code=303)


def _running(operation: Operation[Any], values: Callable[[FormData], dict[str, Any]]) -> Run:
    """Return what runs ``operation`` with the request the form's values make."""

    def run(ctx: Context, form: FormData) -> Any:
        asked: BaseModel = operation.request.model_validate(values(form))
        return perform(operation, ctx, asked)

    return run


def _no_such_form(_ctx: Context, _form: FormData) -> Any:
    """An action no form posts: not found, once the form's token is checked like any."""
    raise NotFound("no such action")


@router.get("/admin")
def administration(request: Request, session: Session) -> HTMLResponse:
    """Your organisation: its users, clients and channels."""
    return admin_page(request, session)


@router.post("/admin/users")
async def add_user(request: Request, session: Session) -> Response:
    """Create a user; their token is shown this once."""
    values = ("username", "role", "purpose")
    run = _running(admin.USER_ADD, lambda form: {name: field(form, name) for name in values})
    return await _act(request, session, run)


USER_VERBS: Final[dict[str, Operation[Any]]] = {
    "disable": admin.USER_DISABLE,
    "enable": admin.USER_ENABLE,
    "role": admin.USER_ROLE,
    "token": admin.USER_TOKEN,
}


@router.post("/admin/users/{username}/{verb}")
async def change_user(request: Request, username: str, verb: str, session: Session) -> Response:
    """Disable or enable a user, change their role, or issue them a new token."""
    operation = USER_VERBS.get(verb)
    if operation is None:
        return await _act(request, session, _no_such_form)

    def values(form: FormData) -> dict[str, Any]:
        asked = {"username": username[:200]}
        return {**asked, "role": field(form, "role")} if verb == "role" else asked

    return await _act(request, session, _running(operation, values))


@router.post("/admin/clients/{verb}")
async def change_client(request: Request, verb: str, session: Session) -> Response:
    """Declare an organisation your client, or withdraw the declaration."""
    operations: dict[str, Operation[Any]] = {"add": admin.CLIENT_ADD, "remove": admin.CLIENT_REMOVE}
    operation = operations.get(verb)
    if operation is None:
        return await _act(request, session, _no_such_form)
    run = _running(operation, lambda form: {"client": field(form, "client")})
    return await _act(request, session, run)


@router.post("/admin/organisation/rename")
async def rename_organisation(request: Request, session: Session) -> Response:
    """Rename your organisation."""
    run = _running(admin.ORG_RENAME, lambda form: {"name": field(form, "name")})
    return await _act(request, session, run)


@router.post("/admin/channels/{channel}/{verb}")
async def change_channel(request: Request, channel: str, verb: str, session: Session) -> Response:
    """Rename a channel your organisation is in, or lower your rights in it (or leave)."""
    reference = {"channel": channel[:200]}
    if verb == "rights":
        run = _running(admin.CHANNEL_RIGHTS, lambda f: {**reference, "rights": field(f, "rights")})
    elif verb == "rename":

        def values(form: FormData) -> dict[str, Any]:
            names = {name: field(form, name) or None for name in ("title", "alias")}
            return {**reference, **names}

        run = _running(admin.CHANNEL_RENAME, values)
    else:
        run = _no_such_form
    return await _act(request, session, run)
