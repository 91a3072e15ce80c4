"""Attacks on correlation (issue 12, item 6, and review findings), each written as the
reader's or attacker's requests, then what they, the victim and a bystander see.

- H3 content is withheld on every path until its reader acknowledges the restriction: a
  look-up or a correlation may list the object, marked withheld, never its name, its
  pattern nor the keys it carries; correlating it answers 403, as TAXII does.
- Entity groups count only links the reader may see (the version they were decided on,
  the name that justified them), as entity views show them; an entity the reader may not
  know of answers a look-up exactly like one that does not exist.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.stix.markings import Tlp
from tests.cli_runner import Run
from tests.resolution.support import Agent, entity_of, h3, marked
from tests.stixgen import identity, indicator
from tests.world import World

ADDRESS = "198.51.100.9"
SECRET = "Burner of the informant Khalid"


@pytest.fixture
def burner(app_client: TestClient, world: World) -> dict[str, Any]:
    """alice's H3 indicator of an address, and a plain one of the same address."""
    alice = Agent(app_client, world, "alice")
    restricted = h3(indicator(1, name=SECRET, pattern=f"[ipv4-addr:value = '{ADDRESS}']"))
    plain = indicator(2, name="Scanner", pattern=f"[ipv4-addr:value = '{ADDRESS}']")
    assert alice.post_objects("fr-ru", restricted, plain)["success_count"] == 2
    return {"restricted": restricted, "plain": plain}


def _listed(answer: dict[str, Any]) -> dict[str, tuple[str, list[str], bool]]:
    return {
        o["id"]: (o["name"], o["via"], o["withheld"])
        for g in answer["groups"]
        for o in g["objects"]
    }


def test_lookup_and_correlate_withhold_h3_content_until_acknowledged(
    app_client: TestClient, world: World, burner: dict[str, Any]
) -> None:
    boris = Agent(app_client, world, "boris")
    restricted, plain = burner["restricted"]["id"], burner["plain"]["id"]
    status, found = boris.get("/api/lookup", value=ADDRESS)
    assert status == 200
    assert _listed(found) == {
        restricted: ("", [], True),
        plain: ("Scanner", [f"ip:{ADDRESS}"], False),
    }
    status, refused = boris.get(f"/api/correlations/{restricted}")
    assert status == 403
    assert "acknowledge" in refused["description"]
    assert SECRET not in json.dumps(refused)
    assert ADDRESS not in json.dumps(refused)
    status, found = boris.get(f"/api/correlations/{plain}")
    assert _listed(found) == {restricted: ("", [], True)}
    assert SECRET not in json.dumps(found)
    boris.acknowledge(restricted)
    assert _listed(boris.get("/api/lookup", value=ADDRESS)[1])[restricted] == (
        SECRET,
        [f"ip:{ADDRESS}"],
        False,
    )
    found = boris.get(f"/api/correlations/{restricted}")[1]
    assert (found["object_name"], found["keys"]) == (SECRET, [f"ip:{ADDRESS}"])


def test_the_command_line_withholds_h3_content_too(
    run: Run, app_client: TestClient, world: World, burner: dict[str, Any]
) -> None:
    restricted = burner["restricted"]["id"]
    listed = run("lookup", ADDRESS, user="boris")
    assert listed.exit_code == 0, listed.output
    assert restricted in listed.output
    assert SECRET not in listed.output
    refused = run("correlate", restricted, user="boris")
    assert refused.exit_code != 0
    assert SECRET not in refused.output
    assert "acknowledge" in refused.output
    correlated = run("correlate", burner["plain"]["id"], "--json", user="boris")
    assert SECRET not in correlated.output
    # the producer's own readers acknowledge too, as TAXII asks them to
    assert SECRET not in run("lookup", ADDRESS, user="alain").output


def test_an_entity_group_counts_only_links_the_reader_may_see(
    app_client: TestClient, world: World
) -> None:
    """Boris resolves two open objects to a man known only from a TLP:RED object for
    alice: alain, who sees both open objects, must not learn that they are one man."""
    boris = Agent(app_client, world, "boris")
    alain, alice = Agent(app_client, world, "alain"), Agent(app_client, world, "alice")
    red = marked(identity("Shamil Redov"), Tlp.RED, recipients=["alice"])
    boris.post_objects("fr-ru", red)
    first, second = identity("Shamil Redov"), identity("Shamil Redov")
    boris.post_objects("fr-ru", first)
    boris.post_objects("fr-ru", second)
    entity = entity_of(world, red["id"])
    assert entity_of(world, first["id"]) == entity_of(world, second["id"]) == entity
    found = alain.get(f"/api/correlations/{first['id']}")[1]
    assert (found["keys"], found["total"], found["groups"]) == ([], 0, [])
    assert alain.get("/api/lookup", value=f"entity:{entity}")[1]["total"] == 0
    found = alice.get(f"/api/correlations/{first['id']}")[1]
    assert _listed(found).keys() == {red["id"], second["id"]}


def test_an_entity_one_may_not_know_of_answers_like_a_missing_one(
    app_client: TestClient, world: World
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    hidden = h3(identity("Zaid Kharroubi"))  # boris sees the object, not its name
    alice.post_objects("fr-ru", hidden)
    entity = entity_of(world, hidden["id"])
    oscar = Agent(app_client, world, "oscar")
    private = identity("Zelimkhan Secretov")
    oscar.post_objects("private", private)
    missing = f"entity--{uuid.uuid4()}"
    for asker, unknown in ((boris, entity), (alice, entity_of(world, private["id"]))):
        status, answer = asker.get("/api/lookup", value=f"entity:{unknown}")
        expected = asker.get("/api/lookup", value=f"entity:{missing}")
        assert (status, answer["description"].replace(unknown, missing)) == (
            expected[0],
            expected[1]["description"],
        )
        assert status == 404
    boris.acknowledge(hidden["id"])
    assert boris.get("/api/lookup", value=f"entity:{entity}")[0] == 200
