"""Intake links mentions to the node's own entities, as the reading user may see them."""
# ruff: noqa: RUF001  (press typography: the curly apostrophe is on purpose)

from __future__ import annotations

from passerelle.intake.node_linking import NodeLinker
from passerelle.intake.pipeline import AliasLinker, draft_of
from passerelle.objects.ingest import ingest
from passerelle.resolution import entities
from tests.exchange_support import ContextFor
from tests.stixgen import identity
from tests.world import SHIPPED_ALIASES as ALIASES
from tests.world import World

ARTICLE = (
    "Selon la DGSI, M. Ruslan Daudov a quitté Paris le 3 mars pour Istanbul. "
    "Son complice présumé, Tamerlan Okhotnikov, n’a pas été retrouvé.\n"
)


def _linked(world: World, username: str) -> dict[str, str | None]:
    linkers = [NodeLinker(world.database, world.viewer(username)), AliasLinker(ALIASES)]
    draft = draft_of(ARTICLE, ALIASES, lang="fr", linkers=linkers)
    return {m.canonical: m.entity_id for m in draft.mentions if m.label == "person"}


def test_mentions_link_to_entities_the_user_may_see(world: World, ctx: ContextFor) -> None:
    shared = identity("Ruslan Daudov")
    hidden = identity("Tamerlan Okhotnikov")
    assert not ingest(
        world.database, world.hooks, world.viewer("boris"), world.channels["fr-ru"], [shared]
    ).failures
    assert not ingest(
        world.database, world.hooks, world.viewer("oscar"), world.channels["private"], [hidden]
    ).failures
    found = entities.resolve(ctx("alice"), entities.Resolve(name="Ruslan Daudov", type="person"))
    daudov = found[0].entity_id

    seen_by_alice = _linked(world, "alice")
    assert seen_by_alice["Ruslan Daudov"] == daudov
    # oscar's entity is known only through his private channel: not a candidate for alice.
    assert seen_by_alice.get("Tamerlan Okhotnikov") is None

    seen_by_oscar = _linked(world, "oscar")
    assert seen_by_oscar.get("Ruslan Daudov") is None
    assert seen_by_oscar["Tamerlan Okhotnikov"] is not None
