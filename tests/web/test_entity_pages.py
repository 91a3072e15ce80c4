"""The entity page, the review queue and the graph in-process: names in every script with
their sources, a candidate match explained reason by reason, accept and reject through
the forms (with their CSRF refusals), a split (undoing a merge), French, and the graph's
data around an object and an entity."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.audit import log as audit
from passerelle.resolution import entities
from passerelle.store.entity_tables import entity_links
from tests.exchange_support import FakeClock, contexts, store
from tests.stixgen import T0, identity, indicator, stix_id
from tests.web.support import csrf_of, rendered, sign_in
from tests.world import World

KNOWN = "Boris Kalmykov"
CYRILLIC = "Борис Калмыков"


def _links(world: World, stix_id_: str) -> list[Any]:
    with world.database.read() as conn:
        return list(conn.execute(select(entity_links).where(entity_links.c.stix_id == stix_id_)))


def _people(world: World) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A known man (with a name in Cyrillic) and a namesake born later, waiting for review
    in dgsi's queue; return both and the known man's entity."""
    known = identity(KNOWN, x_birth_date="1970-01-01", x_aliases=[CYRILLIC])
    namesake = identity(KNOWN, x_birth_date="1985-05-05")
    store(world, "alice", "fr-ru", [known])
    store(world, "alice", "fr-ru", [namesake])
    [link] = [r for r in _links(world, known["id"]) if r.status == "auto"]
    assert [r.status for r in _links(world, namesake["id"])] == ["review"]
    return known, namesake, str(link.entity_id)


def test_the_entity_page_shows_names_candidates_and_objects(
    browser: TestClient, world: World
) -> None:
    known, namesake, entity = _people(world)
    assert sign_in(browser, "alice") == 303
    page = browser.get(f"/entities/{entity.removeprefix('entity--')[:8]}")
    assert page.status_code == 200
    html = page.text
    assert rendered(html, "entity-page") == [entity]
    assert {KNOWN, CYRILLIC} <= set(rendered(html, "name"))
    assert "<h3>latin</h3>" in html
    assert "<h3>cyrillic</h3>" in html
    assert rendered(html, "review") == [f"{namesake['id']} {entity}"]
    assert "birth dates differ" in html  # the score explained, reason by reason
    assert rendered(html, "object") == [known["id"]]
    assert f'href="/graph?entity={entity}"' in html
    assert browser.get("/entities/entity--0000").status_code == 400
    guessed = browser.get("/entities/entity--00000000-0000-4000-8000-000000000000")
    assert guessed.status_code == 404
    french = browser.get(f"/entities/{entity}", headers={"accept-language": "fr"}).text
    assert "Correspondances candidates" in french
    assert "Objets liés" in french


def test_accept_and_reject_through_the_review_queue(
    browser: TestClient, world: World, clock: FakeClock
) -> None:
    _known, namesake, entity = _people(world)
    other = identity(KNOWN, x_birth_date="1990-09-09")
    store(world, "alice", "fr-ru", [other])
    assert sign_in(browser, "alice") == 303
    queue = browser.get("/entities/review")
    assert sorted(rendered(queue.text, "review")) == sorted(
        [f"{namesake['id']} {entity}", f"{other['id']} {entity}"]
    )
    fields = {"object_id": namesake["id"], "entity_id": entity}
    # Without the session's token: refused, nothing done.
    for data in (fields, {**fields, "csrf": "forged"}):
        assert browser.post("/entities/review/accept", data=data).status_code == 403
    assert [r.status for r in _links(world, namesake["id"])] == ["review"]
    token = csrf_of(queue.text)
    answer = browser.post(
        "/entities/review/accept", data={**fields, "csrf": token}, follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/entities/review")
    assert [r.status for r in _links(world, namesake["id"])] == ["accepted"]
    answer = browser.post(
        "/entities/review/reject",
        data={"csrf": token, "object_id": other["id"], "entity_id": entity, "next": "//evil"},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/entities/review")
    assert "rejected" in [r.status for r in _links(world, other["id"])]
    assert rendered(browser.get("/entities/review").text, "review") == []
    # Deciding again: the item is no longer waiting.
    again = browser.post("/entities/review/accept", data={**fields, "csrf": token})
    assert again.status_code == 404
    unknown = browser.post("/entities/review/merge", data={**fields, "csrf": token})
    assert unknown.status_code == 404
    with world.database.read() as conn:
        actions = [e.action for e in audit.entries(conn, username="alice")]
    assert {"entity-review-accept", "entity-review-reject"} <= set(actions)


def test_a_split_undoes_ones_own_merge(browser: TestClient, world: World, clock: FakeClock) -> None:
    first = identity("Zoltan Brezhnevsky")
    second = identity("Quentin Haldorsen")
    store(world, "alice", "fr-ru", [first, second])
    ctx = contexts(world, clock)("alice")
    a = entities.resolve(ctx, entities.Resolve(name="Zoltan Brezhnevsky"))[0].entity_id
    b = entities.resolve(ctx, entities.Resolve(name="Quentin Haldorsen"))[0].entity_id
    entities.merge(ctx, entities.Merge(entity_id=a, into=b))
    assert sign_in(browser, "alice") == 303
    page = browser.get(f"/entities/{b}").text
    assert rendered(page, "member") == [a]
    merged = browser.get(f"/entities/{a}").text
    assert rendered(merged, "entity-page") == [b]
    answer = browser.post(
        f"/entities/{a}/split",
        data={"csrf": csrf_of(page), "next": f"/entities/{b}"},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"/entities/{b}")
    assert rendered(browser.get(f"/entities/{b}").text, "member") == []
    assert rendered(browser.get(f"/entities/{a}").text, "entity-page") == [a]
    # Once split, there is nothing to undo.
    again = browser.post(f"/entities/{a}/split", data={"csrf": csrf_of(page)})
    assert again.status_code == 409


def _relationship(source: str, target: str) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship"),
        "created": T0,
        "modified": T0,
        "relationship_type": "uses",
        "source_ref": source,
        "target_ref": target,
    }


def test_the_graph_data_around_an_object_and_an_entity(browser: TestClient, world: World) -> None:
    known, namesake, entity = _people(world)
    phone = indicator(7, name="Phone of the cell")
    echo = indicator(7, name="Same address elsewhere")
    store(world, "alice", "fr-ru", [phone, echo, _relationship(known["id"], phone["id"])])
    assert sign_in(browser, "alice") == 303
    page = browser.get("/graph", params={"object": known["id"]})
    assert page.status_code == 200
    assert f'data-source="/graph/data?object={known["id"]}"' in page.text
    assert "<script>" not in page.text
    body = browser.get("/graph/data", params={"object": known["id"], "depth": "2"}).json()
    nodes = {n["data"]["id"]: n["data"] for n in body["nodes"]}
    # Two steps out: through the entity, the namesake proposed for it (in dgsi's queue).
    assert set(nodes) == {known["id"], phone["id"], echo["id"], entity, namesake["id"]}
    assert nodes[entity]["label"] == KNOWN
    edges = {(e["data"]["source"], e["data"]["target"], e["data"]["kind"]) for e in body["edges"]}
    assert (known["id"], phone["id"], "relationship") in edges
    assert (phone["id"], echo["id"], "correlation") in edges
    assert (known["id"], entity, "entity") in edges
    assert body["more"] == 0
    around = browser.get("/graph/data", params={"entity": entity[8:16]}).json()
    assert {n["data"]["id"] for n in around["nodes"]} >= {entity, known["id"]}
    kinds = {e["data"]["kind"] for e in around["edges"]}
    assert kinds == {"entity", "candidate"}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"object": "indicator--x", "entity": "entity--y"}, 400),
        ({"object": "indicator--00000000-0000-4000-8000-000000000000"}, 404),
        ({"entity": "entity--00000000-0000-4000-8000-000000000000"}, 404),
        ({"entity": "abc"}, 400),
    ],
)
def test_the_graph_refuses_bad_requests_in_one_line(
    browser: TestClient, params: dict[str, str], status: int
) -> None:
    assert sign_in(browser, "alice") == 303
    answer = browser.get("/graph/data", params=params)
    assert answer.status_code == status
    assert "\n" not in answer.json()["error"]
    assert browser.get("/graph", params=params).status_code == status


def test_the_graph_depth_is_bounded(browser: TestClient, world: World) -> None:
    known, _namesake, _entity = _people(world)
    assert sign_in(browser, "alice") == 303
    for depth in ("4", "-1", "x"):
        answer = browser.get("/graph/data", params={"object": known["id"], "depth": depth})
        assert answer.status_code == 400
        assert answer.json() == {"error": "depth: a whole number from 0 to 3"}
    only = browser.get("/graph/data", params={"object": known["id"], "depth": "0"}).json()
    assert [n["data"]["id"] for n in only["nodes"]] == [known["id"]]


def _source_of(html: str, name: str) -> str:
    """The source cell of a name's row on the entity page."""
    row = html.split(f'data-name="{name}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>(.*?)</td>", row, re.S)[0]


def test_the_entity_page_shows_where_each_name_comes_from(
    browser: TestClient, world: World
) -> None:
    known, _namesake, entity = _people(world)
    assert sign_in(browser, "alice") == 303
    html = browser.get(f"/entities/{entity}").text
    link = f'<a href="/objects/{known["id"]}">{known["id"]}</a>'
    # The Latin name from the object's name, the Cyrillic one from its aliases.
    assert _source_of(html, KNOWN) == f"stix:name: {link}"
    assert _source_of(html, CYRILLIC) == f"stix:aliases: {link}"
