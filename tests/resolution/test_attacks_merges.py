"""Attacks through merges (issue 12, item 18), written as the attacker's requests, then
what the victim and a bystander see.

A merge is its organisation's judgement and shapes its own view only: Cobalt's analyst
who merges Daesh into the FSB changes what Cobalt resolves, shows and correlates, never
what Atlas or Boreal do, nor how their objects are linked; nobody outside Cobalt can
undo it either. What every organisation of a node shares comes from the alias files.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.resolution import entity_id_for
from passerelle.store.schema import audit_log
from tests.resolution.support import ISLAMIC_STATE, Agent, entity_of, group
from tests.world import World

FSB = entity_id_for("ru-fsb")


@pytest.fixture
def cyril(app_client: TestClient, world: World) -> Agent:
    """Cobalt's analyst, who merged Daesh into the FSB."""
    with world.database.write() as conn:
        world.tokens["cyril"] = directory.add_user(conn, "cert", "cyril", Role.ANALYST)
    attacker = Agent(app_client, world, "cyril")
    status, merged = attacker.post(f"/api/entities/{ISLAMIC_STATE}/merge", {"into": FSB})
    assert status == 200, merged
    assert ISLAMIC_STATE in merged["members"]
    return attacker


def test_a_merge_changes_nothing_outside_its_organisation(
    app_client: TestClient, world: World, cyril: Agent
) -> None:
    for name in ("alice", "boris"):  # the victim and a bystander
        viewer = Agent(app_client, world, name)
        assert viewer.get("/api/resolve", name="Daesh")[1][0]["entity_id"] == ISLAMIC_STATE
        status, fsb = viewer.get(f"/api/entities/{FSB}")
        assert (status, fsb["members"]) == (200, [])
        assert "Daesh" not in {n["name"] for n in fsb["names"]}
        assert viewer.get(f"/api/entities/{ISLAMIC_STATE}")[1]["merged_into"] is None
    # and Cobalt sees its own judgement
    carla = Agent(app_client, world, "carla")
    assert carla.get("/api/resolve", name="Daesh")[1][0]["entity_id"] == FSB
    assert carla.get(f"/api/entities/{ISLAMIC_STATE}")[1]["merged_into"] == FSB


def test_a_merge_changes_no_other_organisations_links_nor_correlations(
    app_client: TestClient, world: World, cyril: Agent
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    daesh, fsb = group("Daesh"), group("ФСБ")
    alice.post_objects("fr-ru", daesh, fsb)
    assert entity_of(world, daesh["id"]) == ISLAMIC_STATE
    assert entity_of(world, fsb["id"]) == FSB
    for viewer in (alice, boris):
        found = viewer.get("/api/lookup", value=f"entity:{FSB}")[1]
        assert [o["id"] for g in found["groups"] for o in g["objects"]] == [fsb["id"]]
        correlated = viewer.get(f"/api/correlations/{daesh['id']}")[1]
        assert correlated["keys"] == [f"entity:{ISLAMIC_STATE}"]
        assert correlated["total"] == 0


def test_nobody_outside_the_organisation_undoes_its_merge(
    app_client: TestClient, world: World, cyril: Agent
) -> None:
    alice = Agent(app_client, world, "alice")
    status, refused = alice.post(f"/api/entities/{ISLAMIC_STATE}/unmerge")
    assert status == 409
    assert "not merged" in refused["description"]
    assert cyril.get(f"/api/entities/{ISLAMIC_STATE}")[1]["merged_into"] == FSB
    with world.database.read() as conn:
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert "entity-merge" in actions
    assert "entity-unmerge" not in actions
