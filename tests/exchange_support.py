"""Helpers for tests of the exchange workflow: a clock tests move by hand, contexts, and the
report on a cell that tips share (stored, and the feedback it brings back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select

from passerelle.core.context import Context
from passerelle.objects.ingest import ingest
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.settings import ExchangeSettings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.timestamps import to_micros
from passerelle.store.schema import objects
from tests.stixgen import T0, identity, stix_id
from tests.world import World

START = to_micros(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))


@dataclass
class FakeClock:
    """A clock that stands still until a test moves it."""

    now: int = START

    def __call__(self) -> int:
        return self.now

    def advance(self, micros: int) -> None:
        """Move the clock forward."""
        self.now += micros


ContextFor = Callable[[str], Context]


def contexts(world: World, clock: FakeClock) -> ContextFor:
    """Return a function giving the operation context of a user of the world."""

    def context(username: str) -> Context:
        return Context(
            world.database,
            world.viewer(username),
            world.keys,
            world.hooks,
            clock,
            ExchangeSettings(),
        )

    return context


def marked(obj: dict[str, Any], tlp: Tlp, recipients: tuple[str, ...] = ()) -> dict[str, Any]:
    """Mark an object with a TLP level, naming its recipients (for RED)."""
    obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if recipients:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "recipients": list(recipients),
            }
        }
    return obj


def cell_report(tlp: Tlp = Tlp.AMBER, recipients: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A report on a cell planning bombings, with the group and its leader it refers to."""
    group = marked(
        {
            "type": "intrusion-set",
            "spec_version": "2.1",
            "id": stix_id("intrusion-set"),
            "created": T0,
            "modified": T0,
            "name": "Seven-person cell",
        },
        tlp,
        recipients,
    )
    leader = marked(
        identity("Ivan Petrov", contact_information="+7 912 345-67-89"), tlp, recipients
    )
    report = marked(
        {
            "type": "report",
            "spec_version": "2.1",
            "id": stix_id("report"),
            "created": T0,
            "modified": T0,
            "name": "Cell plans bombings of religious sites",
            "published": T0,
            "object_refs": [group["id"], leader["id"]],
        },
        tlp,
        recipients,
    )
    return [group, leader, report]


def store(world: World, username: str, channel: str, items: list[dict[str, Any]]) -> None:
    """Store objects into a channel as a user; every one must be accepted."""
    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], items
    )
    assert result.failures == []


def feedback_seen_by(world: World, username: str, tip_id: str) -> list[dict[str, Any]]:
    """The STIX feedback objects about a tip that a user may see."""
    viewer = world.viewer(username)
    found = []
    with world.database.read() as conn:
        for (body,) in conn.execute(select(objects.c.body)):
            obj = orjson.loads(body)
            detail = obj.get("extensions", {}).get(HANDLING_EXTENSION_ID, {}).get("feedback")
            if (
                detail
                and detail.get("tip") == tip_id
                and object_visible_anywhere(conn, viewer, obj["id"])
            ):
                found.append(obj)
    return found
