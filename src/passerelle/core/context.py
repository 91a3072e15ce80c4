"""What every operation runs with: the database, who acts, the node's key rules and the
listeners of its object writes, the clock, the workflow's settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from passerelle.errors import BadInput
from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import Hooks
from passerelle.objects.writing import Write, writing
from passerelle.policy.viewer import Viewer
from passerelle.settings import ExchangeSettings
from passerelle.stix.timestamps import micros_to_text, now_micros, to_micros
from passerelle.store.database import Database

Clock = Callable[[], int]
"""Returns the current time in epoch microseconds; tests pass a controllable one."""

system_clock: Clock = now_micros


@dataclass(frozen=True)
class Context:
    """One operation's surroundings."""

    database: Database
    viewer: Viewer
    keys: KeyRules
    hooks: Hooks
    clock: Clock = system_clock
    settings: ExchangeSettings = field(default_factory=ExchangeSettings)

    def now(self) -> int:
        """Return the current time in epoch microseconds."""
        return self.clock()

    @contextmanager
    def writing(self, channel_ids: Sequence[int] = ()) -> Iterator[Write]:
        """Open a write transaction of objects (and workflow records) for these channels;
        its listeners run inside it and, once it commits, after it."""
        with writing(self.database, self.hooks, self.now(), channel_ids) as write:
            yield write


def parse_day(text: str) -> int:
    """Parse ``YYYY-MM-DD`` (the end of that day, UTC) or a full timestamp into micros."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return to_micros(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC))
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadInput(f"not a date: {text[:40]!r} (write it as YYYY-MM-DD)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_micros(moment)


def stamp(micros: int | None) -> str | None:
    """Format epoch microseconds as a timestamp (None stays None)."""
    return None if micros is None else micros_to_text(micros)


def new_id(kind: str) -> str:
    """Return a new identifier such as ``tip--9a1c...``: unguessable, so it reveals no count."""
    return f"{kind}--{uuid.uuid4()}"
