"""The access matrix on the intake pages and the counters fragment, and the RED tip's
absence from every page: for every person of the matrix world (with the workflow's tips,
RFI and watch, and an intake draft of the producer organisation), what the pages show is
compared with the rules written out by hand (``sees``, ``receives``), never with the code
under test."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from passerelle.core.context import Context
from passerelle.intake import review
from passerelle.policy.roles import Role
from passerelle.store.entity_tables import entity_links
from tests.access_world import (
    CHANNEL,
    LABELS,
    PEOPLE,
    Outcomes,
    Person,
    Relation,
    sees,
    wrong_views,
)
from tests.security.test_access_matrix_workflow import TipWorld, receives, sent_by_org
from tests.stixgen import T0, identity
from tests.web.support import rendered, session_client
from tests.web.test_access_matrix import _counter
from tests.world import NODE_HOOKS, NODE_KEYS

DRAFT_TITLE = "Matrix draft on the cell"
GUESS = "indicator--00000000-0000-4000-8000-000000000000"


@pytest.fixture
def draft_id(tip_world: TipWorld) -> str:
    """A draft under review of the producer organisation, in the matrix channel."""
    world = tip_world.probe.world
    person = identity("Ivan Matrixov")
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--6f0c1e55-2a1b-4c3d-9e8f-0a1b2c3d4e5f",
        "created": T0,
        "modified": T0,
        "name": DRAFT_TITLE,
        "published": T0,
        "object_refs": [person["id"]],
        "x_passerelle_draft": True,
    }
    bundle = {"type": "bundle", "id": "bundle--1", "objects": [report, person]}
    ctx = Context(world.database, world.viewer("producer-liaison"), NODE_KEYS, NODE_HOOKS)
    return review.store_draft(ctx, review.StoreDraft(channel=CHANNEL, bundle=bundle)).id


def _app(world: TipWorld) -> FastAPI:
    app = world.probe.client.app
    assert isinstance(app, FastAPI)
    return app


# The intake pages and the counters -------------------------------------------------------


def observe_intake(world: TipWorld, draft: str, person: Person) -> Outcomes:
    with session_client(_app(world), world.probe.world.database, person.username) as client:
        paste = client.get("/intake")
        listed = client.get("/intake/drafts")
        shown = client.get(f"/intake/drafts/{draft}")
        counters = client.get("/fragments/counters")
    return {
        "paste": str(paste.status_code),
        "drafts": f"{listed.status_code} " + ",".join(rendered(listed.text, "draft")),
        "draft": f"{shown.status_code} {DRAFT_TITLE in shown.text}",
        "counters": f"{counters.status_code} {_counter(counters.text)}",
        "draft counted": str(_drafts_counted(counters.text)),
    }


def _drafts_counted(html: str) -> str:
    found = html.split(" drafts to review", 1)[0].rsplit('<span class="count">', 1)
    return found[1].split("<", 1)[0] if len(found) > 1 else "-"


def expect_intake(draft: str, person: Person) -> Outcomes:
    worker = person.role is not Role.AUDITOR
    own = worker and person.org == "producer"
    received = [label for label in LABELS if worker and receives(person, label)]
    return {
        "paste": "200" if worker else "403",
        "drafts": ("200 " + (draft if own else "")) if worker else "403 ",
        "draft": "200 True" if own else ("404 False" if worker else "403 False"),
        "counters": f"200 {len(received)}" if worker else "200 -",
        "draft counted": ("1" if own else "0") if worker else "-",
    }


def test_intake_pages_and_counters_show_exactly_what_the_rules_allow(
    tip_world: TipWorld, draft_id: str
) -> None:
    failures = wrong_views(
        "web-intake",
        lambda person: expect_intake(draft_id, person),
        lambda person: observe_intake(tip_world, draft_id, person),
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


# The RED tip leaves no trace -----------------------------------------------------------


def _red_marks(world: TipWorld) -> tuple[str, ...]:
    red = world.probe.world.latest("RED")
    name = red["name"]
    return (world.tip_of["RED"], red["id"], f"{name}<", f'"{name}"')


def _pages(world: TipWorld, draft: str, entity: str) -> dict[str, str]:
    """Every page and fragment a person may open, none asked about the RED object."""
    amber = world.probe.world.id_of("AMBER")
    return {
        "inbox": "/",
        "counters": "/fragments/counters",
        "rfis": "/rfis",
        "rfi": f"/rfis/{world.rfi_id}",
        "watches": "/watches",
        "partners": "/partners",
        "admin": "/admin",
        "node": "/admin/node",
        "review": "/entities/review",
        "entity": f"/entities/{entity}",
        "graph": f"/graph?object={amber}",
        "graph data": f"/graph/data?object={amber}&depth=2",
        "search": "/search?q=bad+address",
        "search red": "/search?tlp=TLP%3ARED",
        "search type": "/search?type=indicator&size=100",
        "intake": "/intake",
        "drafts": "/intake/drafts",
        "draft": f"/intake/drafts/{draft}",
    }


def _knows_red(person: Person) -> bool:
    """The rules, by hand: who may know of the RED tip or see the RED object."""
    return sent_by_org(person) or receives(person, "RED") or sees(person, "RED")


def observe_red_traces(world: TipWorld, draft: str, entity: str, person: Person) -> Outcomes:
    if _knows_red(person):
        return {"scanned": "no"}
    marks = _red_marks(world)
    traced = []
    with session_client(_app(world), world.probe.world.database, person.username) as client:
        for name, path in _pages(world, draft, entity).items():
            if any(mark in client.get(path).text for mark in marks):
                traced.append(name)
        # Asked about the RED object itself, the graph answers as for an id never stored.
        red = world.probe.world.id_of("RED")
        asked = client.get("/graph/data", params={"object": red}).text
        guessed = client.get("/graph/data", params={"object": GUESS}).text
        if asked.replace(red, GUESS) != guessed:
            traced.append("graph of the RED object")
    return {"scanned": "yes", "traces": ",".join(traced)}


def expect_red_traces(person: Person) -> Outcomes:
    return {"scanned": "no"} if _knows_red(person) else {"scanned": "yes", "traces": ""}


def _entity_of_the_matrix(world: TipWorld) -> str:
    """An entity the matrix's objects link to, else an id no entity has."""
    ids = [world.probe.world.id_of(label) for label in LABELS]
    with world.probe.world.database.read() as conn:
        found = conn.execute(
            select(entity_links.c.entity_id).where(entity_links.c.stix_id.in_(ids))
        ).first()
    return str(found[0]) if found else "entity--00000000-0000-4000-8000-000000000000"


def test_the_red_tip_leaves_no_trace_on_any_page_of_those_without_rights(
    tip_world: TipWorld, draft_id: str
) -> None:
    entity = _entity_of_the_matrix(tip_world)

    def observe(person: Person) -> Outcomes:
        return observe_red_traces(tip_world, draft_id, entity, person)

    failures = wrong_views("web-red-traces", expect_red_traces, observe)
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
    # The scan reached people of every organisation without rights on the RED tip.
    scanned = {p.relation for p in PEOPLE if not _knows_red(p)}
    assert scanned >= {Relation.MEMBER, Relation.CLIENT, Relation.NON_MEMBER}
