"""Linking at ingest: an object that names a person, group or place makes an entity, or
links to the one it names, as the writer may see candidates."""

from __future__ import annotations

from passerelle.resolution.entities import EntityRef, show_entity
from tests.exchange_support import ContextFor
from tests.resolution.support import ISLAMIC_STATE, entity_of, group, links_of, store
from tests.stixgen import identity
from tests.world import World


def test_an_identity_posted_makes_an_entity_and_its_twin_links_to_it(
    world: World, ctx: ContextFor
) -> None:
    first = identity("Ivan Petrov", x_birth_date="1980-02-03", x_nationality="RU")
    store(world, "alice", "fr-ru", first)
    made = entity_of(world, first["id"])
    view = show_entity(ctx("boris"), EntityRef(entity_id=made))
    assert (view.kind, view.name) == ("person", "Ivan Petrov")
    assert [(n.name, n.source, n.object_id) for n in view.names] == [
        ("Ivan Petrov", "stix:name", first["id"])
    ]
    assert view.objects == [first["id"]]
    twin = identity("Ivan Petrov", x_birth_date="1980-02-03", x_aliases=["Vanya Petrov"])
    store(world, "boris", "fr-ru", twin)
    [link] = links_of(world, twin["id"])
    assert (link.entity_id, link.status) == (made, "auto")
    assert link.score >= 900
    view = show_entity(ctx("alice"), EntityRef(entity_id=made[:16]))
    assert sorted(view.objects) == sorted([first["id"], twin["id"]])
    assert ("Vanya Petrov", "stix:aliases", twin["id"]) in [
        (n.name, n.source, n.object_id) for n in view.names
    ]
    # a group resolves to the shipped entity it names
    actor = group("ISIS", aliases=["Daech"])
    store(world, "alice", "fr-ru", actor)
    assert entity_of(world, actor["id"]) == ISLAMIC_STATE
    # objects of other types cost nothing and link to nothing
    store(world, "alice", "fr-ru", identity("Nobody", identity_class="system"))


def test_namesakes_with_other_birth_dates_do_not_merge(world: World) -> None:
    father = identity("Ivan Petrov", x_birth_date="1950-01-01")
    son = identity("Ivan Petrov", x_birth_date="1985-06-30")
    store(world, "alice", "fr-ru", father)
    store(world, "alice", "fr-ru", son)
    fathers = entity_of(world, father["id"])
    assert (fathers, "auto") not in [(r.entity_id, r.status) for r in links_of(world, son["id"])]
