"""The node's page, for its operator (an admin of an operator organisation, as the command
line defines it): every organisation and channel, who is in each channel with which
rights, and the peers (read only).

Adding an organisation, a channel and a channel's members run the administration's
actions the command line runs (``org add``, ``channel add``, ``channel member``), audited
with before/after exactly as there. Anyone but the operator is refused (403) before
anything is read or changed, and the refusal audited, so the page tells nobody else which
channels or peers exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from passerelle.admin import actions
from passerelle.admin.node import node_register, require_operator
from passerelle.errors import BadInput, Forbidden, NotFound, PasserelleError
from passerelle.federation import peers
from passerelle.federation.status import peer_status
from passerelle.policy.directory import Membership
from passerelle.stix.markings import Tlp
from passerelle.store.database import Database
from passerelle.web.access import checked_form, field, page, refused, signed_in
from passerelle.web.administration import problem_of
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
Action = Callable[[Database, FormData], object]
# A new channel's form names each member's rights in a field ``member:ORG``.
MEMBER: Final = "member:"


def _operator_page(
    request: Request, session: WebSession, status: int = 200, problem: str = ""
) -> HTMLResponse:
    database = request.app.state.database
    try:
        register = node_register(database, session.viewer)
    except Forbidden:
        return page(request, "error.html", 403, session, problem="operator")
    with database.read() as conn:
        found = [(peer, peer_status(conn, peer)) for peer in peers.list_peers(conn)]
    return page(
        request,
        "operator.html",
        status,
        session,
        register=register,
        peers=found,
        problem=problem,
    )


@router.get("/admin/node")
def operator_page(request: Request, session: Session) -> HTMLResponse:
    """The node's organisations, channels with their members, and peers."""
    return _operator_page(request, session)


async def _act(request: Request, session: WebSession, what: str, run: Action) -> Response:
    """Run an action of the operator's from a form carrying the session's token."""
    form = await checked_form(request, session)
    if form is None:
        return refused(request, session)
    database = request.app.state.database
    try:
        require_operator(database, session.viewer, what)
    except Forbidden:
        return page(request, "error.html", 403, session, problem="operator")
    try:
        run(database, form)
    except NotFound as exc:
        return _operator_page(request, session, 404, exc.message)
    except Forbidden as exc:
        return page(request, "error.html", 403, session, problem=problem_of(exc))
    except PasserelleError as exc:
        return _operator_page(request, session, 409, exc.message)
    return RedirectResponse("/admin/node", status_code=303)


@router.post("/admin/node/organisations")
async def add_organisation(request: Request, session: Session) -> Response:
    """Register an organisation."""

    def run(database: Database, form: FormData) -> None:
        actions.add_organisation(database, session.viewer, field(form, "name"))

    return await _act(request, session, "admin.org-add", run)


def _members(form: FormData) -> list[Membership]:
    """The members a new channel's form gives: ``member:ORG`` set to r, w or rw."""
    found = []
    for key, value in form.multi_items():
        if not key.startswith(MEMBER) or not isinstance(value, str) or not value.strip():
            continue
        found.append(Membership.parse(f"{key.removeprefix(MEMBER)}:{value.strip()}"))
    return found


@router.post("/admin/node/channels")
async def add_channel(request: Request, session: Session) -> Response:
    """Create a channel shared by the organisations given rights in it."""

    def run(database: Database, form: FormData) -> None:
        tlp = Tlp.parse(field(form, "default_tlp") or "amber")
        if tlp is Tlp.RED:
            raise BadInput("a channel cannot default to TLP:RED: RED names its recipients")
        title, members = field(form, "title"), _members(form)
        if not title or not members:
            raise BadInput("give the channel a title and at least one member")
        alias = field(form, "alias") or None
        description = field(form, "description")
        actions.add_channel(database, session.viewer, title, members, alias, description, tlp)

    return await _act(request, session, "admin.channel-add", run)


@router.post("/admin/node/members")
async def set_member(request: Request, session: Session) -> Response:
    """Give an organisation rights in a channel (r, w, rw), or take it out (-)."""

    def run(database: Database, form: FormData) -> None:
        actions.set_member(
            database,
            session.viewer,
            field(form, "channel"),
            field(form, "organisation"),
            field(form, "rights"),
        )

    return await _act(request, session, "admin.channel-member", run)


@router.get("/admin/peers/{name}")
def peer_page(request: Request, name: str, session: Session) -> HTMLResponse:
    """One peer: whom it speaks for, its links and the state of exchanges (never its
    token)."""
    database = request.app.state.database
    try:
        require_operator(database, session.viewer, "admin.peer-show")
    except Forbidden:
        return page(request, "error.html", 403, session, problem="operator")
    with database.read() as conn:
        try:
            peer = peers.find_peer(conn, name[:200])
        except NotFound:
            return page(request, "error.html", 404, session, problem="not-found")
        links = peers.links_of(conn, peer.id)
        state = peer_status(conn, peer)
    return page(request, "peer.html", 200, session, peer=peer, links=links, state=state)
