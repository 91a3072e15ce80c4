"""Helpers for tests of the exchange workflow: a clock tests move by hand, and contexts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from passerelle.core.context import Context
from passerelle.settings import ExchangeSettings
from passerelle.stix.timestamps import to_micros
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
