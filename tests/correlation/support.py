"""What the correlation tests share: objects to store, and storing them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from passerelle.objects.ingest import ingest
from passerelle.store.schema import objects
from tests.stixgen import indicator, stix_id
from tests.world import World

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def store(world: World, username: str, channel: str, *objs: dict[str, Any]) -> None:
    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], list(objs)
    )
    assert not result.failures, result.failures


def watching(pattern: str, **extra: Any) -> dict[str, Any]:
    return indicator(uuid.uuid4().int % 60000, pattern=pattern, **extra)


def sco(kind: str, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": stix_id(kind), **props}


def version_of(world: World, stix_id_: str) -> str:
    """Return the stored version key of an object (its newest)."""
    with world.database.read() as conn:
        found = conn.execute(
            select(func.max(objects.c.version)).where(objects.c.stix_id == stix_id_)
        ).scalar_one()
    return str(found)
