"""What a write of objects announces, and the registry its listeners subscribe to.

The objects layer knows no feature: it announces two events and the features that care
subscribe (``passerelle.wiring`` wires them, once, for the app and the command line).

- :class:`ObjectsStored`, inside the write transaction, once the rows of the versions are
  in. Listeners write what hangs off the versions (correlation keys, entity links, watch
  hits) on the same connection, so it commits or rolls back with the objects.
- :class:`ObjectsRemoved`, inside the transaction that took versions out of a channel
  (TAXII DELETE), so what hangs off a removal (federation's erasures) commits with it.
- :class:`WriteCommitted`, after the transaction committed. Listeners do work that must
  not hold the write lock (reporting watch hits to partners; federation's outbox next).
  They must be safe to run again: a crash between the commit and the listener (or a
  listener's own failure, which is logged) leaves work that the next announcement finds.

Listeners run in the order they subscribed. A committed-listener that writes objects
itself causes another :class:`WriteCommitted`; it is queued and announced once the
current listener returns, never by recursion.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection

from passerelle.policy.viewer import Viewer
from passerelle.store.database import Database

if TYPE_CHECKING:
    from passerelle.objects.writing import Write

_log = logging.getLogger(__name__)


class StoredVersion(Protocol):
    """One object version a write placed: its key, its JSON as stored, and the object.

    A protocol, read-only for listeners: the objects layer announces the very records it
    stored (no copy per version, which cost as much as a listener).
    """

    @property
    def stix_id(self) -> str:
        """Return the object's id."""

    @property
    def version(self) -> str:
        """Return the key the version is stored under."""

    @property
    def body(self) -> str:
        """Return the JSON of the version as stored."""

    @property
    def obj(self) -> Mapping[str, Any]:
        """Return the version as parsed."""


@dataclass(frozen=True)
class ObjectsStored:
    """Object versions were placed in a channel (announced inside the transaction)."""

    write: Write
    writer: Viewer
    channel_id: int
    # The first and last date_added of these placements (every one between is theirs).
    date_added: tuple[int, int]
    # Every version placed by this write, new to the node or not.
    placed: Sequence[StoredVersion]
    # The versions the node did not hold before this write (all produced by the writer).
    new: Sequence[StoredVersion]

    @property
    def conn(self) -> Connection:
        """Return the connection of the write transaction."""
        return self.write.conn

    @property
    def database(self) -> Database:
        """Return the database written to."""
        return self.write.database

    @property
    def now(self) -> int:
        """Return the time of the write, in epoch microseconds."""
        return self.write.now


@dataclass(frozen=True)
class Placement:
    """One version placed in one channel."""

    channel_id: int
    stix_id: str
    version: str


@dataclass(frozen=True)
class WriteCommitted:
    """A write transaction of objects committed (announced after the commit)."""

    database: Database
    hooks: Hooks
    now: int
    # What each ObjectsStored of the write placed: (channel id, versions).
    stored: Sequence[tuple[int, Sequence[StoredVersion]]] = ()

    @property
    def placed(self) -> list[Placement]:
        """Return every version the write placed, and where (built when asked: most
        listeners never ask)."""
        return [
            Placement(channel_id, v.stix_id, v.version)
            for channel_id, versions in self.stored
            for v in versions
        ]


@dataclass(frozen=True)
class ObjectsRemoved:
    """Object versions were taken out of a channel (announced inside the transaction)."""

    conn: Connection
    remover: Viewer
    channel_id: int
    # (stix_id, version) of every version taken out.
    removed: Sequence[tuple[str, str]]
    now: int


StoredListener = Callable[[ObjectsStored], None]
RemovedListener = Callable[[ObjectsRemoved], None]
CommittedListener = Callable[[WriteCommitted], None]


class Hooks:
    """The listeners of a node's object writes."""

    def __init__(self) -> None:
        self._stored: list[StoredListener] = []
        self._committed: list[CommittedListener] = []
        self._removed: list[RemovedListener] = []
        self._local = threading.local()

    def on_stored(self, listener: StoredListener) -> StoredListener:
        """Subscribe to :class:`ObjectsStored`; return the listener (usable as a decorator)."""
        self._stored.append(listener)
        return listener

    def on_committed(self, listener: CommittedListener) -> CommittedListener:
        """Subscribe to :class:`WriteCommitted`; return the listener."""
        self._committed.append(listener)
        return listener

    def on_removed(self, listener: RemovedListener) -> RemovedListener:
        """Subscribe to :class:`ObjectsRemoved`; return the listener."""
        self._removed.append(listener)
        return listener

    def announce_removed(self, event: ObjectsRemoved) -> None:
        """Run every removal listener; an exception rolls the removal back."""
        for listener in self._removed:
            listener(event)

    def announce_stored(self, event: ObjectsStored) -> None:
        """Run every in-transaction listener; an exception rolls the write back."""
        for listener in self._stored:
            listener(event)

    def announce_committed(self, event: WriteCommitted) -> None:
        """Run every after-commit listener, queueing announcements they cause.

        The data is committed whatever a listener does: a listener that fails is logged,
        the others still run, and its work is found again by the next announcement.
        """
        queue: deque[WriteCommitted] | None = getattr(self._local, "queue", None)
        if queue is not None:
            queue.append(event)
            return
        queue = self._local.queue = deque([event])
        try:
            while queue:
                current = queue.popleft()
                for listener in self._committed:
                    try:
                        listener(current)
                    except Exception:
                        _log.exception("after-commit listener %r failed", listener)
        finally:
            self._local.queue = None
