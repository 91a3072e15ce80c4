"""Attacks through versions and copies on what entities show (found by review), each
written as the attacker's requests, then what the victim and a bystander see.

A name, a fact or an object's name reaches a person only from a version of the object
they may see: Boris posts an identity in fr-ru (TLP:AMBER), then a second version for
alice alone (TLP:RED) with a new name, an alias and a passport number. Alain, alice's
colleague but no named recipient, may see the first version only; so may nothing he
asks (entity show, resolve with a guessed identifier) tell him of the second.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.stix.markings import Tlp
from tests.resolution.support import Agent, entity_of, marked
from tests.stixgen import identity
from tests.world import World

T1 = "2026-02-01T00:00:00.000Z"
PASSPORT = "RU7712345"


@pytest.fixture
def two_versions(app_client: TestClient, world: World) -> dict[str, Any]:
    boris = Agent(app_client, world, "boris")
    v1 = marked(identity("Ivan Petrov", x_birth_date="1980-03-03"), Tlp.AMBER)
    v2 = marked(
        {
            **v1,
            "modified": T1,
            "name": "Ivan Sergeyevich Petrov",
            "x_aliases": ["Vanya the Chemist"],
            "x_passport_number": PASSPORT,
        },
        Tlp.RED,
        recipients=["alice"],
    )
    assert boris.post_objects("fr-ru", v1)["success_count"] == 1
    assert boris.post_objects("fr-ru", v2)["success_count"] == 1
    return {"id": v1["id"], "entity": entity_of(world, v1["id"])}


def test_a_hidden_newer_version_lends_an_entity_no_name(
    app_client: TestClient, world: World, two_versions: dict[str, Any]
) -> None:
    alain, alice = Agent(app_client, world, "alain"), Agent(app_client, world, "alice")
    entity = two_versions["entity"]
    status, shown = alain.get(f"/api/entities/{entity}")
    assert status == 200
    assert {n["name"] for n in shown["names"]} == {"Ivan Petrov"}
    assert [link["object_name"] for link in shown["links"]] == ["Ivan Petrov"]
    for name in ("Ivan Sergeyevich Petrov", "Vanya the Chemist"):
        found = alain.get("/api/resolve", name=name, type="person")[1]
        assert all(c["best_name"] != name for c in found), found
    # the named recipient sees it all
    status, shown = alice.get(f"/api/entities/{entity}")
    assert {n["name"] for n in shown["names"]} == {
        "Ivan Petrov",
        "Ivan Sergeyevich Petrov",
        "Vanya the Chemist",
    }
    assert [link["object_name"] for link in shown["links"]] == ["Ivan Sergeyevich Petrov"]
    # a bystander outside fr-ru knows nothing of the entity
    assert Agent(app_client, world, "carla").get(f"/api/entities/{entity}")[0] == 404


def test_resolve_is_no_oracle_for_a_hidden_versions_identifier(
    app_client: TestClient, world: World, two_versions: dict[str, Any]
) -> None:
    alain, alice = Agent(app_client, world, "alain"), Agent(app_client, world, "alice")

    def probe(agent: Agent, passport: str) -> list[tuple[str, float, tuple[str, ...]]]:
        found = agent.get("/api/resolve", name="Ivan Petrov", identifiers=[passport])[1]
        return [(c["entity_id"], c["score"], tuple(c["reasons"])) for c in found]

    guessed, wrong = probe(alain, PASSPORT), probe(alain, "XX0000000")
    assert guessed == wrong
    assert not any("identifier" in r for _e, _s, reasons in guessed for r in reasons)
    assert any(
        "identifier equal" in r for _e, _s, reasons in probe(alice, PASSPORT) for r in reasons
    )


def test_a_copy_never_teaches_the_owners_entity(app_client: TestClient, world: World) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    carla = Agent(app_client, world, "carla")
    theirs = identity("Salman Quraishi")
    alice.post_objects("community", theirs)
    entity = entity_of(world, theirs["id"])
    # Boreal, who cannot see Atlas's object, stores its own under the same id: a copy.
    copy = {**identity("Zzyzx Planted"), "id": theirs["id"], "modified": T1}
    assert boris.post_objects("fr-ru", copy)["success_count"] == 1
    for viewer in (alice, carla):
        assert viewer.names_of(entity) == {"Salman Quraishi"}
        _status, shown = viewer.get(f"/api/entities/{entity}")
        assert [link["object_name"] for link in shown["links"]] == ["Salman Quraishi"]
    # Boreal learns nothing of what Atlas's object resolved to: its copy is its own entity
    [found] = [
        c
        for c in boris.get("/api/resolve", name="Zzyzx Planted")[1]
        if c["best_name"] == "Zzyzx Planted"
    ]
    assert found["entity_id"] != entity
    assert boris.get(f"/api/entities/{entity}")[0] == 404
    assert boris.names_of(found["entity_id"]) == {"Zzyzx Planted"}


def test_a_copy_lends_no_facts_to_the_owners_entity(app_client: TestClient, world: World) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    theirs = identity("Karim Benhadj", x_birth_date="1990-01-01")
    alice.post_objects("community", theirs)
    copy = {**theirs, "modified": T1, "x_birth_date": "1950-12-12"}
    boris.post_objects("fr-ru", copy)
    found = alice.get("/api/resolve", name="Karim Benhadj", birth_dates=["1950-12-12"])[1]
    assert not any("birth dates equal" in r for c in found for r in c["reasons"])
    found = alice.get("/api/resolve", name="Karim Benhadj", birth_dates=["1990-01-01"])[1]
    assert any("birth dates equal" in r for c in found for r in c["reasons"])


def test_a_link_decided_on_a_hidden_version_stays_hidden(
    app_client: TestClient, world: World
) -> None:
    """Boris identifies a cover name as a known man in a version for alice alone, then
    shares a later version under the cover name with all of dgsi: the identification
    (the link, and the cover name among the man's names) stays alice's."""
    boris = Agent(app_client, world, "boris")
    alain, alice = Agent(app_client, world, "alain"), Agent(app_client, world, "alice")
    known = marked(identity("Ramzan Dadayev"), Tlp.AMBER)
    boris.post_objects("fr-ru", known)
    entity = entity_of(world, known["id"])
    secret = marked(identity("Ramzan Dadayev"), Tlp.RED, recipients=["alice"])
    boris.post_objects("fr-ru", secret)
    assert entity_of(world, secret["id"]) == entity
    cover = marked({**secret, "modified": T1, "name": "Subject Seven"}, Tlp.AMBER)
    cover.pop("extensions")
    assert boris.post_objects("fr-ru", cover)["success_count"] == 1
    _status, shown = alain.get(f"/api/entities/{entity}")
    assert {n["name"] for n in shown["names"]} == {"Ramzan Dadayev"}
    assert [link["object_id"] for link in shown["links"]] == [known["id"]]
    found = alain.get("/api/resolve", name="Subject Seven")[1]
    assert all(c["entity_id"] != entity for c in found), found
    assert alain.get("/api/lookup", value=f"entity:{entity}")[1]["total"] == 1
    assert "Subject Seven" in alice.names_of(entity)
    assert alice.get("/api/lookup", value=f"entity:{entity}")[1]["total"] == 2
