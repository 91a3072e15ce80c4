"""What every operation runs with: the database, who acts, the node's key rules and the
listeners of its object writes, the clock, the workflow's settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from passerelle.errors import BadInput
from passerelle.settings import ExchangeSettings
from passerelle.stix.timestamps import micros_to_text, now_micros, to_micros

# The write path (objects.writing and what it pulls) and the key rules are imported when an
# operation first writes or keys: a read command on the local database then loads neither.
if TYPE_CHECKING:
    from passerelle.keys.rules import KeyRules
    from passerelle.objects.hooks import Hooks
    from passerelle.objects.writing import Write
    from passerelle.policy.viewer import Viewer
    from passerelle.store.database import Database

T = TypeVar("T")
Clock = Callable[[], int]
"""Returns the current time in epoch microseconds; tests pass a controllable one."""

system_clock: Clock = now_micros


class Deferred(Generic[T]):
    """A part of the node built the first time an operation asks for it."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._built: list[T] = []

    def get(self) -> T:
        """Return the part, building it on first use."""
        if not self._built:
            self._built.append(self._build())
        return self._built[0]


class Context:
    """One operation's surroundings.

    The key rules and the listeners of object writes may be given as :class:`Deferred`:
    the command line builds them only for an operation that keys or writes.
    """

    __slots__ = ("_hooks", "_keys", "clock", "database", "settings", "viewer")

    def __init__(
        self,
        database: Database,
        viewer: Viewer,
        keys: KeyRules | Deferred[KeyRules],
        hooks: Hooks | Deferred[Hooks],
        clock: Clock = system_clock,
        settings: ExchangeSettings | None = None,
    ) -> None:
        self.database = database
        self.viewer = viewer
        self._keys = keys
        self._hooks = hooks
        self.clock = clock
        self.settings = settings if settings is not None else ExchangeSettings()

    @property
    def keys(self) -> KeyRules:
        """Return the node's key rules."""
        return self._keys.get() if isinstance(self._keys, Deferred) else self._keys

    @property
    def hooks(self) -> Hooks:
        """Return the listeners of the node's object writes."""
        return self._hooks.get() if isinstance(self._hooks, Deferred) else self._hooks

    def now(self) -> int:
        """Return the current time in epoch microseconds."""
        return self.clock()

    def for_viewer(self, viewer: Viewer) -> Context:
        """Return the same surroundings for another viewer (what they may see decides)."""
        return Context(self.database, viewer, self._keys, self._hooks, self.clock, self.settings)

    @contextmanager
    def writing(self, channel_ids: Sequence[int] = ()) -> Iterator[Write]:
        """Open a write transaction of objects (and workflow records) for these channels;
        its listeners run inside it and, once it commits, after it."""
        from passerelle.objects.writing import writing

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
