"""A new watch looks back: what is already stored and readable by its owner hits at once,
then the watch follows what arrives. Looking back never reports an object its owner may
not see (another organisation's channel, TLP:RED for others) nor H3 content they have not
acknowledged, and nothing of it goes to a partner."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from passerelle.cli import cli
from passerelle.exchange import watches
from passerelle.exchange.watches import ListWatches
from passerelle.policy.actions import acknowledge
from passerelle.policy.visibility import object_visible_anywhere
from tests.exchange.test_watches import (
    PHONE_TEXT,
    hit_rows,
    hits_of,
    mentioning,
    post,
    red,
    watch_phone,
)
from tests.exchange_support import ContextFor
from tests.resolution.support import h3
from tests.stixgen import identity
from tests.world import World


def _stored_before_the_watch(api: TestClient, world: World) -> dict[str, dict[str, Any]]:
    """Objects mentioning the phone number, each with its own audience."""
    made = {
        "fsb amber in fr-ru": mentioning(PHONE_TEXT),
        "fsb red for boris": red(mentioning(PHONE_TEXT), "boris"),
        "fsb red for alice": red(mentioning(PHONE_TEXT), "alice"),
        "fsb h3 in fr-ru": h3(mentioning(PHONE_TEXT)),
        "dgsi own in community": mentioning(PHONE_TEXT),
    }
    post(api, world, "boris", "fr-ru", *(made[k] for k in list(made)[:4]))
    post(api, world, "alice", "community", made["dgsi own in community"])
    made["outsider amber in private"] = mentioning(PHONE_TEXT)
    post(api, world, "oscar", "private", made["outsider amber in private"])
    return made


def test_a_new_watch_reports_what_its_owner_may_read_and_nothing_else(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    made = _stored_before_the_watch(api, world)
    watch_phone(ctx, "alice")
    expected = {"fsb amber in fr-ru", "fsb red for alice", "dgsi own in community"}
    assert {h.object_id for h in hits_of(ctx, "alice")} == {made[k]["id"] for k in expected}
    # Every hit recorded, not only those listed, is of an object the owner may see.
    owner = world.viewer("alice")
    with world.database.read() as conn:
        for row in hit_rows(world.database):
            assert object_visible_anywhere(conn, owner, row.stix_id)
            assert row.report_state == "none"  # looked back: no partner is told
    assert len(hit_rows(world.database)) == len(expected)


def test_looking_back_follows_the_owner_not_who_adds_the_watch(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    made = _stored_before_the_watch(api, world)
    watch_phone(ctx, "alice", owner="alain")
    expected = {"fsb amber in fr-ru", "dgsi own in community"}  # RED is alice's alone
    assert {row.stix_id for row in hit_rows(world.database)} == {made[k]["id"] for k in expected}
    assert {h.object_id for h in hits_of(ctx, "alain")} == {made[k]["id"] for k in expected}
    assert watches.list_watches(ctx("alain"), ListWatches())[0].hits == len(expected)


def test_an_acknowledged_h3_object_is_looked_back_at(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    restricted = h3(mentioning(PHONE_TEXT))
    post(api, world, "boris", "fr-ru", restricted)
    with world.database.write() as conn:
        acknowledge(conn, world.viewer("alice"), restricted["id"])
    watch_phone(ctx, "alice")
    assert [h.object_id for h in hits_of(ctx, "alice")] == [restricted["id"]]


def test_another_organisation_never_sees_the_looked_back_hits(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    _stored_before_the_watch(api, world)
    watch_phone(ctx, "alice")
    assert hits_of(ctx, "boris") == []
    assert watches.list_watches(ctx("boris"), ListWatches()) == []


def test_after_looking_back_the_watch_follows_what_arrives(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    person = identity("Ivan Petrov")
    post(api, world, "boris", "fr-ru", person)
    earlier = mentioning(PHONE_TEXT)
    post(api, world, "boris", "fr-ru", earlier)
    watch_phone(ctx, "alice")
    later = mentioning(PHONE_TEXT)
    post(api, world, "boris", "fr-ru", later)
    assert {h.object_id for h in hits_of(ctx, "alice")} == {earlier["id"], later["id"]}
    # A subject watch does not report the watched object itself.
    watches.add_watch(ctx("alice"), watches.AddWatch(subject=person["id"]))
    assert person["id"] not in {row.stix_id for row in hit_rows(world.database)}


def test_the_command_line_says_what_is_already_known(
    api: TestClient, world: World, database_url: str
) -> None:
    post(api, world, "boris", "fr-ru", mentioning(PHONE_TEXT), mentioning(PHONE_TEXT))
    env = {"PASSERELLE_DB": database_url, "PASSERELLE_USER": "alice"}
    added = CliRunner().invoke(cli, ["watch", "add", "--observable", PHONE_TEXT], env=env)
    assert added.exit_code == 0, added.output
    assert "2 stored object(s) already match" in added.stdout
