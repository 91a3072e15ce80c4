"""``lookup entity:PREFIX``: an entity named by 8+ characters of its uuid, as everywhere an
entity is named, without telling anyone of an entity they may not know of."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.cli_runner import Run
from tests.resolution.support import Agent, entity_of, h3
from tests.stixgen import identity
from tests.world import World


def _prefix(entity_id: str) -> str:
    return entity_id.removeprefix("entity--")[:8]


def test_a_prefix_looks_up_the_entity_like_its_full_id(
    app_client: TestClient, world: World, run: Run
) -> None:
    alice = Agent(app_client, world, "alice")
    man = identity("Ruslan Daudov")
    alice.post_objects("fr-ru", man)
    entity = entity_of(world, man["id"])
    full = alice.get("/api/lookup", value=f"entity:{entity}")
    short = alice.get("/api/lookup", value=f"entity:{_prefix(entity)}")
    assert full[0] == short[0] == 200
    assert short[1]["total"] == full[1]["total"] == 1
    typed = run("lookup", f"entity:{_prefix(entity)}", "--json", user="alice")
    assert typed.exit_code == 0, typed.output
    assert man["id"] in typed.stdout
    too_short = run("lookup", f"entity:{_prefix(entity)[:5]}", user="alice")
    assert too_short.exit_code == 1
    assert "at least 8 characters" in too_short.stderr


def test_a_prefix_of_an_entity_one_may_not_know_of_answers_like_a_missing_one(
    app_client: TestClient, world: World
) -> None:
    alice, boris = Agent(app_client, world, "alice"), Agent(app_client, world, "boris")
    hidden = h3(identity("Zaid Kharroubi"))  # boris sees the object, not its name
    alice.post_objects("fr-ru", hidden)
    oscar = Agent(app_client, world, "oscar")
    private = identity("Zelimkhan Secretov")
    oscar.post_objects("private", private)
    missing = "0123abcd"
    for asker, unknown in ((boris, hidden), (alice, private)):
        prefix = _prefix(entity_of(world, unknown["id"]))
        status, answer = asker.get("/api/lookup", value=f"entity:{prefix}")
        expected = asker.get("/api/lookup", value=f"entity:{missing}")
        assert status == expected[0] == 404
        assert answer["description"].replace(prefix, missing) == expected[1]["description"]
    boris.acknowledge(hidden["id"])
    prefix = _prefix(entity_of(world, hidden["id"]))
    assert boris.get("/api/lookup", value=f"entity:{prefix}")[0] == 200
