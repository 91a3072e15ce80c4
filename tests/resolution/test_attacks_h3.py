"""Attacks on H3 content through entities (issue 12, item 6), written as the reader's
requests before and after they acknowledge the restriction.

An object carrying handling code H3 shows none of its content on any path until its
reader acknowledges the restriction, as TAXII withholds it: entity views may list its
link, marked withheld, but no name learnt from it, no name of it, no reason derived from
it, and resolve draws no name or fact from it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.resolution.support import Agent, entity_of, h3
from tests.stixgen import identity
from tests.world import World

OPEN = "Omar Faruq Nasser"
SECRET_ALIAS = "Abu Hafs the Courier"
PASSPORT = "FR99AA1234"


@pytest.fixture
def restricted(app_client: TestClient, world: World) -> dict[str, Any]:
    """alice's open identity of a man, and an H3 identity of him with an alias and his
    passport number, linked to the same entity; an H3 identity of its own entity."""
    alice = Agent(app_client, world, "alice")
    known = identity(OPEN)
    alice.post_objects("fr-ru", known)
    told = h3(identity(OPEN, x_aliases=[SECRET_ALIAS], x_passport_number=PASSPORT))
    alone = h3(identity("Zaid Kharroubi"))
    assert alice.post_objects("fr-ru", told, alone)["success_count"] == 2
    entity = entity_of(world, known["id"])
    assert entity_of(world, told["id"]) == entity
    return {"told": told, "alone": alone, "entity": entity, "own": entity_of(world, alone["id"])}


def test_entity_show_lists_an_h3_link_withheld_until_acknowledged(
    app_client: TestClient, world: World, restricted: dict[str, Any]
) -> None:
    boris = Agent(app_client, world, "boris")
    told, entity = restricted["told"], restricted["entity"]
    status, shown = boris.get(f"/api/entities/{entity}")
    assert status == 200
    assert {(n["name"], n["object_id"]) for n in shown["names"]} == {
        (OPEN, shown["links"][0]["object_id"])
    }
    [link] = [link for link in shown["links"] if link["object_id"] == told["id"]]
    assert (link["withheld"], link["object_name"], link["best_name"], link["reasons"]) == (
        True,
        "",
        "",
        [],
    )
    assert SECRET_ALIAS not in str(shown)
    assert boris.get(f"/api/entities/{restricted['own']}")[0] == 404
    boris.acknowledge(told["id"])
    status, shown = boris.get(f"/api/entities/{entity}")
    assert SECRET_ALIAS in {n["name"] for n in shown["names"]}
    [link] = [link for link in shown["links"] if link["object_id"] == told["id"]]
    assert (link["withheld"], link["object_name"]) == (False, OPEN)


def test_resolve_draws_no_name_nor_fact_from_an_unacknowledged_h3_object(
    app_client: TestClient, world: World, restricted: dict[str, Any]
) -> None:
    boris = Agent(app_client, world, "boris")
    entity = restricted["entity"]
    assert all(c["entity_id"] != entity for c in boris.get("/api/resolve", name=SECRET_ALIAS)[1])
    found = boris.get("/api/resolve", name="Zaid Kharroubi")[1]
    assert all(c["entity_id"] != restricted["own"] for c in found)

    def reasons(passport: str) -> list[str]:
        found = boris.get("/api/resolve", name=OPEN, identifiers=[passport])[1]
        return [r for c in found if c["entity_id"] == entity for r in c["reasons"]]

    assert reasons(PASSPORT) == reasons("XX0000000")
    boris.acknowledge(restricted["told"]["id"])
    assert any("identifier equal" in r for r in reasons(PASSPORT))
    assert boris.get("/api/resolve", name=SECRET_ALIAS)[1][0]["entity_id"] == entity


def test_the_review_queue_withholds_an_h3_object_until_acknowledged(
    app_client: TestClient, world: World
) -> None:
    alice, alain = Agent(app_client, world, "alice"), Agent(app_client, world, "alain")
    alice.post_objects("fr-ru", identity("Boris Kalmykov", x_birth_date="1970-01-01"))
    namesake = h3(identity("Boris Kalmykov", x_birth_date="1985-05-05"))
    alice.post_objects("fr-ru", namesake)
    [item] = alain.get("/api/review")[1]
    assert (item["withheld"], item["object_name"], item["reasons"]) == (True, "", [])
    path = f"/api/review/{namesake['id']}/{item['entity_id']}/accept"
    status, refused = alain.post(path)
    assert status == 403
    assert "acknowledge" in refused["description"]
    alain.acknowledge(namesake["id"])
    assert alain.post(path)[0] == 200
