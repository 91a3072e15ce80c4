"""Entities: resolve, entity show, the review queue, merges, names added by users, over
the operations, REST and the command line; and what each viewer may see of them (linking
at ingest is in test_linking.py, the watch matcher in test_matcher.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.app import create_app
from passerelle.cli import entities as _cli_entities  # noqa: F401  (attaches the commands)
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.resolution import candidates as entity_candidates
from passerelle.resolution.aliases import entity_id_for
from passerelle.resolution.entities import (
    AddAlias,
    EntityRef,
    LinkRef,
    ListReview,
    Merge,
    Resolve,
    accept,
    add_alias,
    list_review,
    merge,
    reject,
    resolve,
    show_entity,
    unmerge,
)
from passerelle.resolution.names import Facts, Scored
from passerelle.settings import Settings
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.store.schema import audit_log
from tests.cli_runner import Run
from tests.exchange_support import ContextFor, FakeClock
from tests.resolution.support import ISLAMIC_STATE, entity_of, group, links_of, store
from tests.stixgen import identity
from tests.world import World

FSB = entity_id_for("ru-fsb")
CIA = entity_id_for("us-cia")


@pytest.fixture
def near(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Make the engine score candidates holding the exact name at a fixed value."""

    def fix(value: float) -> None:
        def scored(
            query: str, facts: Facts, candidates: Sequence[tuple[Sequence[str], Facts]], kind: str
        ) -> list[Scored]:
            del facts, kind
            reason = (f"fixed {value} for {query}",)
            return [
                Scored(value if query in names else 0.1, names[0], reason)
                for names, _ in candidates
            ]

        monkeypatch.setattr(entity_candidates, "score", scored)  # what ranks candidates

    return fix


@pytest.fixture
def eapi(world: World, clock: FakeClock) -> Iterator[TestClient]:
    """The node's app, its workflow on the test clock."""
    app = create_app(Settings(db_url="unused://"), world.database, clock=clock)
    with TestClient(app) as client:
        yield client


def bearer(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


# Shipped knowledge -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Daesh", "ИГИЛ", "داعش", "État islamique", "ISIL", "Исламское государство"],
)
def test_daesh_resolves_to_one_shipped_entity_in_every_script(ctx: ContextFor, name: str) -> None:
    [top, *_] = resolve(ctx("alice"), Resolve(name=name))
    assert (top.entity_id, top.kind, top.name) == (ISLAMIC_STATE, "organization", "Islamic State")
    assert top.decision == "match"
    assert top.best_name_source.startswith("aliases:groups.json#")


def test_state_bodies_resolve_across_scripts(ctx: ContextFor) -> None:
    for name in ("FSB", "ФСБ", "Service fédéral de sécurité", "Federal Security Service"):
        assert resolve(ctx("boris"), Resolve(name=name))[0].entity_id == FSB, name
    for name in ("CIA", "ЦРУ", "Central Intelligence Agency"):
        assert resolve(ctx("carla"), Resolve(name=name))[0].entity_id == CIA, name


def test_resolve_ranks_candidates_with_scores_and_reasons(ctx: ContextFor) -> None:
    found = resolve(ctx("alice"), Resolve(name="Al-Qaida in the Islamic Maghreb"))
    assert found[0].entity_id == entity_id_for("aqim")
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert all(c.reasons for c in found)
    assert len({c.entity_id for c in found}) == len(found)
    assert resolve(ctx("alice"), Resolve(name="Daesh", type="person")) == []
    with pytest.raises(BadInput):
        resolve(ctx("alice"), Resolve(name="  "))


# The review queue ----------------------------------------------------------------------


def test_a_near_match_goes_to_review_and_accepting_teaches_its_names(
    world: World, ctx: ContextFor, near: Callable[[float], None]
) -> None:
    first = identity("Ivan Petrov")
    store(world, "alice", "fr-ru", first)
    made = entity_of(world, first["id"])
    near(0.8)
    second = identity("Ivan Petrov", x_aliases=["Ivan Petroff"])
    store(world, "alice", "fr-ru", second)
    [link] = links_of(world, second["id"])
    assert (link.entity_id, link.status, link.score) == (made, "review", 800)
    # no name learnt while waiting
    names = [n.name for n in show_entity(ctx("alice"), EntityRef(entity_id=made)).names]
    assert "Ivan Petroff" not in names
    [item] = list_review(ctx("alain"), ListReview())
    assert (item.object_id, item.entity_id, item.score) == (second["id"], made, 0.8)
    assert item.object_name == "Ivan Petrov"
    assert item.reasons == ["fixed 0.8 for Ivan Petrov"]
    # fsb sees the object but the object is dgsi's: not fsb's to decide; cert sees nothing
    assert list_review(ctx("boris"), ListReview()) == []
    assert list_review(ctx("carla"), ListReview()) == []
    with pytest.raises(NotFound):
        accept(ctx("boris"), LinkRef(object_id=second["id"], entity_id=made))
    decided = accept(ctx("alain"), LinkRef(object_id=second["id"], entity_id=made))
    assert (decided.status, decided.decided_by) == ("accepted", "alain")
    view = show_entity(ctx("boris"), EntityRef(entity_id=made))
    assert ("Ivan Petroff", "review", second["id"]) in [
        (n.name, n.source, n.object_id) for n in view.names
    ]
    assert [link.decided_by for link in view.links if link.object_id == second["id"]] == [None]
    assert list_review(ctx("alain"), ListReview()) == []
    with world.database.read() as conn:
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert "entity-review-accept" in actions


def test_rejecting_is_recorded_and_makes_the_object_an_entity(
    world: World, ctx: ContextFor, near: Callable[[float], None]
) -> None:
    first = group("Cell Omega")
    store(world, "alice", "community", first)
    made = entity_of(world, first["id"])
    near(0.75)
    second = group("Cell Omega")
    store(world, "alice", "community", second)
    decided = reject(ctx("alice"), LinkRef(object_id=second["id"], entity_id=made))
    assert (decided.status, decided.decided_by) == ("rejected", "alice")
    statuses = {(r.entity_id == made, r.status) for r in links_of(world, second["id"])}
    assert statuses == {(True, "rejected"), (False, "auto")}
    assert entity_of(world, second["id"]) != made
    with pytest.raises(NotFound):
        reject(ctx("alice"), LinkRef(object_id=second["id"], entity_id=made))


# Merges and names added by users ---------------------------------------------------------


def test_merge_then_unmerge_restores_the_previous_state_exactly(
    world: World, ctx: ContextFor
) -> None:
    one, two = identity("Abu Omar al-Shishani"), identity("Tarkhan Batirashvili")
    store(world, "alice", "fr-ru", one, two)
    a, b = entity_of(world, one["id"]), entity_of(world, two["id"])

    def seen(user: str) -> tuple[object, ...]:
        return (
            show_entity(ctx(user), EntityRef(entity_id=a)),
            show_entity(ctx(user), EntityRef(entity_id=b)),
            resolve(ctx(user), Resolve(name="Abu Omar al-Shishani")),
        )

    before = {user: seen(user) for user in ("alain", "boris")}
    merged = merge(ctx("alice"), Merge(entity_id=a, into=b))
    assert merged.id == b
    assert merged.members == [a]
    assert {n.name: n.entity_id for n in merged.names} == {
        "Abu Omar al-Shishani": a,
        "Tarkhan Batirashvili": b,
    }
    # alice's organisation sees the merge; fsb's view is its own and does not change
    assert show_entity(ctx("alain"), EntityRef(entity_id=a)).merged_into == b
    assert resolve(ctx("alain"), Resolve(name="Abu Omar al-Shishani"))[0].entity_id == b
    assert seen("boris") == before["boris"]
    with pytest.raises(Conflict):
        merge(ctx("alice"), Merge(entity_id=a, into=b))
    with pytest.raises(Conflict):
        unmerge(ctx("boris"), EntityRef(entity_id=a))  # not merged in fsb's view
    with pytest.raises(BadInput):
        merge(ctx("alice"), Merge(entity_id=b, into=ISLAMIC_STATE))
    unmerge(ctx("alain"), EntityRef(entity_id=a))
    assert {user: seen(user) for user in ("alain", "boris")} == before
    with pytest.raises(Conflict):
        unmerge(ctx("alain"), EntityRef(entity_id=a))
    with world.database.read() as conn:
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert {"entity-merge", "entity-unmerge"} <= set(actions)


def test_a_name_added_by_a_user_is_its_organisations(world: World, ctx: ContextFor) -> None:
    added = add_alias(ctx("alice"), AddAlias(entity_id=FSB, name="la Loubianka"))
    assert ("la Loubianka", "user", "alice") in [
        (n.name, n.source, n.added_by) for n in added.names
    ]
    assert resolve(ctx("alain"), Resolve(name="la Loubianka"))[0].entity_id == FSB
    theirs = resolve(ctx("boris"), Resolve(name="la Loubianka"))
    assert all(c.best_name != "la Loubianka" for c in theirs)
    names = [n.name for n in show_entity(ctx("boris"), EntityRef(entity_id=FSB)).names]
    assert "la Loubianka" not in names
    with pytest.raises(Conflict):
        add_alias(ctx("alain"), AddAlias(entity_id=FSB, name="la  Loubianka"))


# No leak ---------------------------------------------------------------------------------


def test_nothing_learnt_from_an_object_leaks_to_who_may_not_see_it(
    world: World, ctx: ContextFor, near: Callable[[float], None]
) -> None:
    secret = group("Daesh", aliases=["Wilayat Secret"])
    store(world, "oscar", "private", secret)
    assert entity_of(world, secret["id"]) == ISLAMIC_STATE
    hidden_person = identity("Zelimkhan Secretov")
    store(world, "oscar", "private", hidden_person)
    hidden = entity_of(world, hidden_person["id"])
    # oscar sees what he learnt
    assert resolve(ctx("oscar"), Resolve(name="Wilayat Secret"))[0].entity_id == ISLAMIC_STATE
    assert resolve(ctx("oscar"), Resolve(name="Zelimkhan Secretov"))[0].entity_id == hidden
    # alice does not: not in resolve, not in entity show (names, links, counts)
    assert all(
        c.entity_id != hidden for c in resolve(ctx("alice"), Resolve(name="Zelimkhan Secretov"))
    )
    for found in resolve(ctx("alice"), Resolve(name="Wilayat Secret")):
        assert found.best_name != "Wilayat Secret"
    view = show_entity(ctx("alice"), EntityRef(entity_id=ISLAMIC_STATE))
    assert "Wilayat Secret" not in [n.name for n in view.names]
    assert all(n.object_id is None for n in view.names)
    assert (view.links, view.objects) == ([], [])
    with pytest.raises(NotFound):
        show_entity(ctx("alice"), EntityRef(entity_id=hidden))
    with pytest.raises(NotFound):
        add_alias(ctx("alice"), AddAlias(entity_id=hidden, name="x"))
    with pytest.raises(NotFound):
        merge(ctx("alice"), Merge(entity_id=hidden, into=FSB))
    # a near match of alice's to oscar's entity is never proposed to her: she cannot see it
    near(0.8)
    mine = identity("Zelimkhan Secretov")
    store(world, "alice", "fr-ru", mine)
    assert [r.entity_id for r in links_of(world, mine["id"])] != [hidden]
    assert list_review(ctx("alice"), ListReview()) == []
    # and a link made from oscar's name is not shown to those who cannot see that name
    near(0.95)
    twin = identity("Zelimkhan Secretov")
    store(world, "oscar", "private", twin)
    assert show_entity(ctx("oscar"), EntityRef(entity_id=hidden)).objects


def test_a_link_is_hidden_where_the_name_that_justified_it_is(
    world: World, ctx: ContextFor
) -> None:
    red = identity(
        "Shamil Redov",
        object_marking_refs=[TLP2_IDS[Tlp.RED]],
        extensions={},
    )
    red.pop("extensions")
    # a TLP:RED object for alice only; alain (same organisation) may not see it
    result = ingest(
        world.database,
        world.hooks,
        world.viewer("boris"),
        world.channels["fr-ru"],
        [red],
        recipients=["alice"],
    )
    assert not result.failures, result.failures
    entity = entity_of(world, red["id"])
    open_twin = identity("Shamil Redov")
    store(world, "boris", "fr-ru", open_twin)
    assert entity_of(world, open_twin["id"]) == entity
    seen_by_alice = show_entity(ctx("alice"), EntityRef(entity_id=entity))
    assert sorted(seen_by_alice.objects) == sorted([red["id"], open_twin["id"]])
    # alain sees the open twin's own name, but not the link justified by the RED name
    seen_by_alain = show_entity(ctx("alain"), EntityRef(entity_id=entity))
    assert [n.object_id for n in seen_by_alain.names] == [open_twin["id"]]
    assert seen_by_alain.links == []
    assert seen_by_alain.objects == []


def test_auditors_take_no_part(world: World, ctx: ContextFor) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    for call in (
        lambda: resolve(ctx("audrey"), Resolve(name="Daesh")),
        lambda: show_entity(ctx("audrey"), EntityRef(entity_id=ISLAMIC_STATE)),
        lambda: list_review(ctx("audrey"), ListReview()),
        lambda: add_alias(ctx("audrey"), AddAlias(entity_id=FSB, name="x")),
        lambda: merge(ctx("audrey"), Merge(entity_id=FSB, into=CIA)),
        lambda: unmerge(ctx("audrey"), EntityRef(entity_id=FSB)),
        lambda: accept(ctx("audrey"), LinkRef(object_id="identity--x", entity_id=FSB)),
        lambda: reject(ctx("audrey"), LinkRef(object_id="identity--x", entity_id=FSB)),
    ):
        with pytest.raises(Forbidden):
            call()


# REST and CLI ----------------------------------------------------------------------------


def test_the_rest_api_serves_every_entity_function(
    eapi: TestClient, world: World, near: Callable[[float], None]
) -> None:
    alice = bearer(world, "alice")
    found = eapi.get("/api/resolve", params={"name": "ИГИЛ"}, headers=alice)
    assert found.status_code == 200, found.text
    assert found.json()[0]["entity_id"] == ISLAMIC_STATE
    shown = eapi.get(f"/api/entities/{ISLAMIC_STATE}", headers=alice).json()
    assert "ar" in "".join(shown["scripts"])  # arabic
    assert (
        eapi.get(
            "/api/entities/entity--00000000-0000-0000-0000-000000000000", headers=alice
        ).status_code
        == 404
    )
    added = eapi.post(f"/api/entities/{FSB}/aliases", json={"name": "Lubyanka"}, headers=alice)
    assert added.status_code == 201, added.text
    one, two = identity("Omar Rest"), identity("Omar Rest")
    store(world, "alice", "fr-ru", one)
    near(0.8)
    store(world, "alice", "fr-ru", two)
    [item] = eapi.get("/api/review", headers=alice).json()
    decided = eapi.post(
        f"/api/review/{item['object_id']}/{item['entity_id']}/accept", headers=alice
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted"
    one_id = item["entity_id"]
    merged = eapi.post(f"/api/entities/{one_id}/merge", json={"into": FSB}, headers=alice)
    assert merged.status_code == 400, merged.text  # a person does not merge into a service
    other = identity("Someone Else Rest")
    store(world, "alice", "fr-ru", other)
    other_id = entity_of(world, other["id"])
    merged = eapi.post(f"/api/entities/{other_id}/merge", json={"into": one_id}, headers=alice)
    assert merged.status_code == 200, merged.text
    assert merged.json()["members"] == [other_id]
    undone = eapi.post(f"/api/entities/{other_id}/unmerge", headers=alice)
    assert undone.status_code == 200, undone.text
    assert undone.json()["id"] == other_id
    assert eapi.get("/api/review", headers=bearer(world, "carla")).json() == []
    paths = eapi.get("/openapi.json").json()["paths"]
    assert {"/api/resolve", "/api/review", "/api/entities/{entity_id}"} <= set(paths)


def test_the_command_line_resolves_shows_and_reviews(
    run: Run, world: World, near: Callable[[float], None]
) -> None:
    table = run("resolve", "داعش", user="alice")
    assert table.exit_code == 0, table.output
    assert ISLAMIC_STATE in table.output
    assert "SCORE" in table.output
    as_json = json.loads(run("resolve", "ФСБ", "--json", user="boris").output)
    assert as_json[0]["entity_id"] == FSB
    shown = run("entity", "show", FSB[:16], user="boris")
    assert "ФСБ" in shown.output
    assert "aliases:state_bodies.json#wp-ru" in shown.output
    assert json.loads(run("entity", "show", FSB, "--json", user="boris").output)["id"] == FSB
    alias = run("entity", "alias", FSB, "Loubianka", user="alice")
    assert alias.exit_code == 0, alias.output
    one = identity("Said Cli")
    store(world, "alice", "fr-ru", one)
    near(0.8)
    two = identity("Said Cli")
    store(world, "alice", "fr-ru", two)
    listed = run("review", user="alice")
    assert two["id"] in listed.output
    [item] = json.loads(run("review", "--json", user="alice").output)
    rejected = run("review", "reject", item["object_id"], item["entity_id"], user="alice")
    assert rejected.exit_code == 0
    assert "rejected" in rejected.output
    assert "(none)" in run("review", user="alice").output
    a, b = entity_of(world, one["id"]), entity_of(world, two["id"])
    assert run("entity", "merge", a, b, user="alice").exit_code == 0
    assert run("entity", "unmerge", a, user="alice").exit_code == 0
    refused = run("entity", "show", a, user="carla")
    assert refused.exit_code != 0
    assert "no entity" in refused.output
