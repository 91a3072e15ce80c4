"""Attacks on the review queue (issue 12, item 2), each written as the attacker's requests,
then what the victim and a bystander see.

Atlas is dgsi (alice, liaison; alain, analyst), Boreal is fsb (boris), Cobalt is cert
(carla): see tests/world.py. Atlas knows a man born in 1970 from fr-ru (Boreal sees him
too); it then stores, in community (Cobalt reads it, Boreal does not), a namesake born
in 1985, which waits in Atlas's review queue. A review item belongs to the organisation
whose object it is: the owner, or the organisation keeping a copy; never whoever managed
to store some version under the object's id.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.resolution.support import Agent, entity_of, links_of
from tests.stixgen import identity
from tests.world import World

NAME = "Boris Kalmykov"


@pytest.fixture
def queue(app_client: TestClient, world: World) -> dict[str, Any]:
    """Atlas's review item: its namesake object, and the entity it may be."""
    alice = Agent(app_client, world, "alice")
    known = identity(NAME, x_birth_date="1970-01-01")
    assert alice.post_objects("fr-ru", known)["success_count"] == 1
    namesake = identity(NAME, x_birth_date="1985-05-05")
    assert alice.post_objects("community", namesake)["success_count"] == 1
    [item] = alice.get("/api/review")[1]
    assert (item["object_id"], item["entity_id"]) == (namesake["id"], entity_of(world, known["id"]))
    return {"known": known, "namesake": namesake, "entity": item["entity_id"]}


def _decide(agent: Agent, object_id: str, entity_id: str, verb: str) -> tuple[int, Any]:
    return agent.post(f"/api/review/{object_id}/{entity_id}/{verb}")


def test_a_copy_under_the_objects_id_gives_no_hold_on_its_review_item(
    app_client: TestClient, world: World, queue: dict[str, Any]
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    carla = Agent(app_client, world, "carla")
    namesake, entity = queue["namesake"], queue["entity"]
    # Boreal learnt the namesake's id and stores an object of its own under it: it cannot
    # see Atlas's object, so the node keeps it as Boreal's copy.
    decoy = {**identity("Decoy Person"), "id": namesake["id"], "modified": "2027-01-01T00:00:00Z"}
    assert boris.post_objects("fr-ru", decoy)["success_count"] == 1
    assert boris.get("/api/review") == (200, [])
    for verb in ("reject", "accept"):
        status, answer = _decide(boris, namesake["id"], entity, verb)
        made_up = f"identity--{uuid.uuid4()}"
        expected = _decide(boris, made_up, entity, verb)
        assert (status, answer["description"].replace(namesake["id"], made_up)) == (
            expected[0],
            expected[1]["description"],
        )
        assert status == 404
    # The victim's item is untouched, and shows her object's name, not Boreal's.
    [item] = alice.get("/api/review")[1]
    assert (item["object_id"], item["status"], item["object_name"]) == (
        namesake["id"],
        "review",
        NAME,
    )
    assert _decide(alice, namesake["id"], entity, "accept")[0] == 200
    # Accepting taught the entity Atlas's names only: Boreal's never reach Atlas or Cobalt.
    for viewer in (alice, carla):
        assert "Decoy Person" not in viewer.names_of(entity)
        status, found = viewer.get("/api/resolve", name="Decoy Person", type="person")
        assert all(c["entity_id"] != entity for c in found)
    assert carla.names_of(entity) == {NAME}
    # Boreal's copy was resolved as Boreal's own object, apart from Atlas's links.
    boreal = world.viewer("boris").org_id
    assert entity_of(world, namesake["id"], holder=boreal) != entity
    assert [r.status for r in links_of(world, namesake["id"])] == ["accepted"]


def test_rejecting_cannot_make_an_entity_of_someone_elses_copy(
    app_client: TestClient, world: World, queue: dict[str, Any]
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    namesake, entity = queue["namesake"], queue["entity"]
    # Boreal's copy sorts after Atlas's version: "the newest stored version" would be it.
    decoy = {**identity("Decoy Person"), "id": namesake["id"], "modified": "2027-01-01T00:00:00Z"}
    boris.post_objects("fr-ru", decoy)
    assert _decide(alice, namesake["id"], entity, "reject")[0] == 200
    made = entity_of(world, namesake["id"])
    assert made != entity
    assert alice.names_of(made) == {NAME}
    assert boris.get(f"/api/entities/{made}")[0] == 404


def test_the_copy_holders_own_item_is_theirs_and_only_theirs(
    app_client: TestClient, world: World, queue: dict[str, Any]
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    namesake, entity = queue["namesake"], queue["entity"]
    # Boreal's copy says what Atlas's object says: it is a near match for Boreal too.
    copy = {**namesake, "modified": "2027-01-01T00:00:00Z"}
    boris.post_objects("fr-ru", copy)
    [mine] = boris.get("/api/review")[1]
    [hers] = alice.get("/api/review")[1]
    assert (mine["object_id"], mine["entity_id"]) == (hers["object_id"], hers["entity_id"])
    assert _decide(boris, namesake["id"], entity, "reject")[0] == 200
    assert boris.get("/api/review") == (200, [])
    # Atlas's item is still Atlas's, undecided
    assert [i["status"] for i in alice.get("/api/review")[1]] == ["review"]
    assert [r.status for r in links_of(world, namesake["id"])] == ["review"]
    boreal = world.viewer("boris").org_id
    theirs = entity_of(world, namesake["id"], holder=boreal)
    assert alice.get(f"/api/entities/{theirs}")[0] == 404


def test_sharing_the_object_onward_gives_no_hold_on_its_review_item(
    app_client: TestClient, world: World, queue: dict[str, Any]
) -> None:
    carla, alain = Agent(app_client, world, "carla"), Agent(app_client, world, "alain")
    namesake, entity = queue["namesake"], queue["entity"]
    taxii_object = carla.client.get(
        f"/taxii2/root/collections/{world.collection('community')}/objects/{namesake['id']}/",
        headers={"Accept": "application/taxii+json;version=2.1"},
        auth=("carla", world.tokens["carla"]),
    ).json()["objects"][0]
    assert carla.post_objects("dropbox", taxii_object)["success_count"] == 1
    assert carla.get("/api/review") == (200, [])
    assert _decide(carla, namesake["id"], entity, "reject")[0] == 404
    assert [i["object_id"] for i in alain.get("/api/review")[1]] == [namesake["id"]]
