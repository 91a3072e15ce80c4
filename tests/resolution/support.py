"""What the entity-resolution tests share: objects to store, storing them, their links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from passerelle.objects.ingest import ingest
from passerelle.resolution import entity_id_for
from passerelle.store.schema import entity_links
from tests.stixgen import T0, stix_id
from tests.world import World

ISLAMIC_STATE = entity_id_for("islamic-state")


def store(world: World, username: str, channel: str, *objs: dict[str, Any]) -> None:
    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], list(objs)
    )
    assert not result.failures, result.failures


def group(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id("intrusion-set"),
        "created": T0,
        "modified": T0,
        "name": name,
        **extra,
    }


def links_of(world: World, stix_id_: str) -> list[Any]:
    with world.database.read() as conn:
        return conn.execute(select(entity_links).where(entity_links.c.stix_id == stix_id_)).all()


def entity_of(world: World, stix_id_: str) -> str:
    [row] = [r for r in links_of(world, stix_id_) if r.status in ("auto", "accepted")]
    return str(row.entity_id)
