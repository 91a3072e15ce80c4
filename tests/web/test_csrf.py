"""CSRF on every form of the web interface: each POST route the app serves (read from its
routes, so a new form is covered without touching this test) is posted without a token
and with a forged one, by a user who may otherwise act there: the answer is the CSRF
refusal (403) and not one row of the database changes. The same form with the session's
own token gets past the check, so the refusal is the token's doing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import BaseRoute

from passerelle.exchange import rfis, tips, watches
from passerelle.intake import review
from passerelle.policy import directory, register
from passerelle.policy.roles import Role
from passerelle.store.entity_tables import entity_links
from passerelle.store.schema import metadata, organisations, web_sessions
from passerelle.web.links import LINK_PATH
from tests.exchange_support import FakeClock, cell_report, contexts, store
from tests.stixgen import T0, identity
from tests.web.support import BASE_URL, csrf_of, session_client
from tests.world import World

REFUSAL = "did not come from this site: nothing was done"
# Every web POST route the audit named: the walk must reach each of them.
NAMED = {
    "/tips",
    "/acknowledgements",
    "/entities/{reference}/split",
    "/admin/node/organisations",
    "/admin/node/channels",
    "/admin/node/members",
    "/admin/clients/{verb}",
    "/admin/channels/{channel}/{verb}",
    "/admin/organisation/rename",
    "/admin/users",
    "/signin",
    "/signout",
}


def _served(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    # This FastAPI keeps an included router whole: its routes are inside it (the web's
    # routers are included without a prefix).
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _served(included.routes)


def web_posts(app: FastAPI) -> list[APIRoute]:
    """Return every POST route of the web interface (not the REST API's nor TAXII's)."""
    return [
        route
        for route in _served(app.router.routes)
        if "POST" in route.methods and route.endpoint.__module__.startswith("passerelle.web.")
    ]


def _snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (a session's last activity aside: a refused post may
    still count as activity)."""
    rows = {}
    with world.database.read() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if not (table is web_sessions and c.name == "last_seen")]
            found = conn.execute(select(*columns)).all()
            rows[table.name] = sorted((tuple(r) for r in found), key=repr)
    return rows


@pytest.fixture
def targets(world: World, clock: FakeClock) -> dict[str, str]:
    """A tip, an RFI, a watch, an intake draft and an entity for the forms to aim at;
    adam is an admin of dgsi, an operator organisation."""
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    context = contexts(world, clock)
    tip = tips.share(
        context("alice"), tips.ShareRequest(object_id=items[-1]["id"], channel="fr-ru")
    )
    rfi = rfis.send_rfi(context("alice"), rfis.SendRfi(to="fsb", purpose="who", urgency="urgent"))
    watch = watches.add_watch(context("alice"), watches.AddWatch(name="Ivan Petrov"))
    person = identity("Ivan Petrov", id="identity--8a1f6a43-5b2d-4a8e-b7f7-0f5e3c9d2a10")
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--2c9e3b0a-5b8e-4c1e-9d0a-7f3f0c2a1b11",
        "created": T0,
        "modified": T0,
        "name": "Draft on the cell",
        "published": T0,
        "object_refs": [person["id"]],
        "x_passerelle_draft": True,
    }
    bundle = {"type": "bundle", "id": "bundle--1", "objects": [report, person]}
    draft = review.store_draft(context("alice"), review.StoreDraft(channel="fr-ru", bundle=bundle))
    with world.database.write() as conn:
        world.tokens["adam"] = directory.add_user(conn, "dgsi", "adam", Role.ADMIN)
        dgsi = conn.execute(select(organisations.c.id).where(organisations.c.name == "dgsi"))
        register.set_operator(conn, dgsi.scalar_one(), True)
        entity = conn.execute(
            select(entity_links.c.entity_id).where(entity_links.c.stix_id == items[1]["id"])
        ).scalar_one()
    return {
        "tip_id": tip.id,
        "rfi_id": rfi.id,
        "watch_id": watch.id,
        "draft_id": draft.id,
        "reference": str(entity),
        "number": "1",
        "username": "alain",
        "channel": world.collection("fr-ru"),
        "token": "not-a-link",
        "object_id": items[-1]["id"],
    }


# Forms that act when posted with the session's token (the walk checks they did).
ACTING = {
    "/tips",
    "/rfis",
    "/intake",
    "/signout",
    "/watches/{watch_id}/{verb}",
    "/intake/drafts/{draft_id}/elements/{number}/{verb}",
    "/intake/drafts/{draft_id}/publish",
    "/admin/users",
    "/admin/users/{username}/{verb}",
    "/admin/clients/{verb}",
    "/admin/organisation/rename",
    "/admin/channels/{channel}/{verb}",
}


# The verb each route with one is posted with: one that acts (the other verbs take the
# same road through the token's check).
VERBS = {
    "/tips/{tip_id}/{action}": "ack",
    "/entities/review/{action}": "accept",
    "/rfis/{rfi_id}/{verb}": "refuse",
    "/watches/{watch_id}/{verb}": "end",
    "/intake/drafts/{draft_id}/elements/{number}/{verb}": "accept",
    "/admin/users/{username}/{verb}": "disable",
    "/admin/clients/{verb}": "add",
    "/admin/channels/{channel}/{verb}": "rename",
}


def _path(route: APIRoute, targets: dict[str, str]) -> str:
    values = {**targets, "action": VERBS.get(route.path, "x"), "verb": VERBS.get(route.path, "x")}
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "x"), route.path)


def _form(targets: dict[str, str]) -> dict[str, str]:
    """One form holding every field some page's form has, each with a value that acts."""
    return {
        "object_id": targets["object_id"],
        "entity_id": targets["reference"],
        "channel": "fr-ru",
        "recipients": "boris",
        "action_requested": "Find the cell",
        "text": "Le chef de la cellule, Ivan Petrov, a été arrêté à Marseille.",
        "language": "fr",
        "username": "newcomer",
        "password": "wrong",
        "role": "analyst",
        "purpose": "triage",
        "name": "renamed",
        "title": "renamed",
        "alias": "renamed",
        "client": "cert",
        "organisation": "cert",
        "rights": "r",
        "member:cert": "rw",
        "to": "fsb",
        "urgency": "urgent",
        "reason": "none",
        "until": "2030-01-01",
        "what": "name",
        "value": "Someone",
        "outcome": "refuted",
        "next": "/",
    }


def _client_for(path: str, app: FastAPI, world: World) -> Any:
    if path.startswith(("/signin",)):
        return TestClient(app, base_url=BASE_URL)
    return session_client(app, world.database, "adam" if path.startswith("/admin") else "alice")


def test_every_form_without_the_sessions_token_is_refused_and_changes_nothing(
    web_app: FastAPI, world: World, targets: dict[str, str]
) -> None:
    routes = web_posts(web_app)
    assert {route.path for route in routes} >= NAMED
    form = _form(targets)
    acted = set()
    for route in routes:
        path = _path(route, targets)
        with _client_for(route.path, web_app, world) as client:
            # A page of one's own holds the token (and, before sign-in, its cookie).
            token = csrf_of(client.get("/signin" if route.path.startswith("/signin") else "/").text)
            before = _snapshot(world)
            for data in (form, {**form, "csrf": "forged"}, {**form, "csrf": token + "x"}):
                answer = client.post(path, data=data, follow_redirects=False)
                assert answer.status_code == 403, (path, answer.status_code)
                assert REFUSAL in answer.text, path
            # Whatever the path names (an id or an action that does not exist), the token
            # is checked first.
            unknown = re.sub(r"{\w+}", "x", route.path)
            for data in (form, {**form, "csrf": "forged"}):
                answer = client.post(unknown, data=data, follow_redirects=False)
                assert (answer.status_code, REFUSAL in answer.text) == (403, True), unknown
            assert _snapshot(world) == before, f"{path} changed the database without a token"
            passed = client.post(path, data={**form, "csrf": token}, follow_redirects=False)
            assert REFUSAL not in passed.text, f"{path} refuses its own session's token"
            if _snapshot(world) != before:
                acted.add(route.path)
    # With its token, the very same form acts (or is refused and audited): the refusal
    # above was the token's doing, not the form's.
    assert acted >= ACTING, ACTING - acted


def test_the_walk_covers_the_link_sign_in_too(web_app: FastAPI) -> None:
    # The one route whose path is built from a constant: the walk must have found it.
    assert LINK_PATH + "{token}" in {route.path for route in web_posts(web_app)}
