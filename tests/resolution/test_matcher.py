"""The watch name matcher: a watch on one spelling or script hits on another, and a name
from the alias files hits on every name of its entity."""

from __future__ import annotations

from passerelle.exchange import watches
from passerelle.exchange.watches import AddWatch, ListHits
from passerelle.resolution import ResolvingNames
from passerelle.settings import Settings
from passerelle.wiring import key_rules
from tests.exchange_support import ContextFor
from tests.resolution.support import group, store
from tests.stixgen import identity
from tests.world import World


def test_a_watch_on_tsarnaev_hits_an_object_named_in_cyrillic(
    world: World, ctx: ContextFor
) -> None:
    assert isinstance(world.keys.names, ResolvingNames)  # the matcher a node wires
    watches.add_watch(ctx("alice"), AddWatch(name="Tsarnaev"))
    person = identity("Царнаев")
    store(world, "boris", "fr-ru", person)
    assert [h.object_id for h in watches.list_hits(ctx("alice"), ListHits())] == [person["id"]]


def test_a_watch_on_daesh_hits_a_group_named_isis(world: World, ctx: ContextFor) -> None:
    assert isinstance(world.keys.names, ResolvingNames)
    watch = watches.add_watch(ctx("alice"), AddWatch(name="Daesh"))
    assert "name:entity:islamic-state" in watch.keys
    store(world, "boris", "fr-ru", group("ИГИЛ"))
    store(world, "boris", "fr-ru", group("Islamic Jihad Union"))
    [hit] = watches.list_hits(ctx("alice"), ListHits())
    assert hit.matched == "name:entity:islamic-state"


def test_a_commands_key_rules_key_names_as_the_nodes_do() -> None:
    """The command line's key rules make the matcher on first use; it keys as serve's."""
    node = key_rules(Settings())
    command = key_rules(Settings(), names_on_first_use=True)
    assert (command.phone_region, command.alias_dirs) == (node.phone_region, node.alias_dirs)
    for name in ("Tsarnaev", "Царнаев", "Daesh", "ИГИЛ"):
        assert command.names.keys(name, "") == node.names.keys(name, ""), name
