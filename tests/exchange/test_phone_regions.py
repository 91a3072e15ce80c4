"""The phone region follows the producing organisation: "8 912 345-67-89" in an object of
a Russian service is +7 912 345 67 89, whatever the node's own region."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from passerelle.exchange import watches
from passerelle.exchange.watches import AddWatch, ListHits
from tests.cli_runner import Run
from tests.exchange.test_watches import bearer, mentioning, post
from tests.exchange_support import ContextFor
from tests.world import World

RUSSIAN_WAY = "8 912 345-67-89"
E164 = "+79123456789"


def _hit_ids(ctx: ContextFor) -> set[str]:
    return {h.object_id for h in watches.list_hits(ctx("alice"), ListHits())}


def test_numbers_are_read_in_the_producers_region(
    api: TestClient, world: World, ctx: ContextFor, run: Run
) -> None:
    watches.add_watch(ctx("alice"), AddWatch(observable=E164))
    before = mentioning(RUSSIAN_WAY)
    post(api, world, "boris", "fr-ru", before)  # fsb has no region yet: read as French
    assert _hit_ids(ctx) == set()
    assert run("org", "set", "fsb", "--phone-region", "ru").exit_code == 0
    after = mentioning(RUSSIAN_WAY)
    post(api, world, "boris", "fr-ru", after)
    assert _hit_ids(ctx) == {after["id"]}
    # An object of another organisation is still read in the node's region.
    french = mentioning(RUSSIAN_WAY)
    post(api, world, "alice", "fr-ru", french)
    assert _hit_ids(ctx) == {after["id"]}
    listed = json.loads(run("org", "list", "--json").stdout)
    assert {row["name"]: row["phone_region"] for row in listed} == {
        "cert": "",
        "dgsi": "",
        "fsb": "RU",
        "outsider": "",
    }


def test_a_new_watch_looks_back_in_the_producers_region(
    api: TestClient, world: World, ctx: ContextFor, run: Run
) -> None:
    assert run("org", "set", "fsb", "--phone-region", "RU").exit_code == 0
    stored = mentioning(RUSSIAN_WAY)
    post(api, world, "boris", "fr-ru", stored)
    watches.add_watch(ctx("alice"), AddWatch(observable=E164))
    assert _hit_ids(ctx) == {stored["id"]}


def test_a_region_is_a_real_one_and_can_be_cleared(run: Run, world: World) -> None:
    bad = run("org", "set", "fsb", "--phone-region", "XX")
    assert bad.exit_code == 1
    assert "not a region code" in bad.stderr
    assert run("org", "set", "fsb", "--phone-region", "RU").exit_code == 0
    cleared = run("org", "set", "fsb", "--phone-region", "")
    assert cleared.exit_code == 0
    assert "the node's (FR)" in cleared.stdout
    missing = run("org", "set", "nobody", "--phone-region", "RU")
    assert missing.exit_code == 1
    assert "no organisation named 'nobody'" in missing.stderr


def test_a_number_typed_for_a_watch_is_read_in_the_users_region(
    api: TestClient, world: World, ctx: ContextFor, run: Run
) -> None:
    assert run("org", "set", "fsb", "--phone-region", "RU").exit_code == 0
    made = watches.add_watch(ctx("boris"), AddWatch(observable=RUSSIAN_WAY))
    assert made.keys == [f"phone:{E164}"]
    french = watches.add_watch(ctx("alice"), AddWatch(observable="06 12 34 56 78"))
    assert french.keys == ["phone:+33612345678"]  # dgsi follows the node's region (FR)


def test_correlation_reads_numbers_in_the_producers_region(
    api: TestClient, world: World, run: Run
) -> None:
    assert run("org", "set", "fsb", "--phone-region", "RU").exit_code == 0
    russian = mentioning(RUSSIAN_WAY)
    post(api, world, "boris", "fr-ru", russian)
    french = mentioning(f"call {E164}")
    post(api, world, "alice", "fr-ru", french)
    headers = bearer(world, "alice")
    found = api.get("/api/lookup", params={"value": E164}, headers=headers).json()
    assert found["total"] == 2
    related = api.get(f"/api/correlations/{french['id']}", headers=headers).json()
    listed = {o["id"] for group in related["groups"] for o in group["objects"]}
    assert listed == {russian["id"]}
