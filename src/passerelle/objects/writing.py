"""One write transaction on a node's objects, and what it announces when it commits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection

from passerelle.objects.hooks import Hooks, StoredVersion, WriteCommitted
from passerelle.store.database import Database


@dataclass
class Write:
    """An open write transaction: its connection, its listeners, its time, what it placed
    (per channel, the versions its ``ObjectsStored`` announced)."""

    database: Database
    hooks: Hooks
    conn: Connection
    now: int
    stored: list[tuple[int, Sequence[StoredVersion]]] = field(default_factory=list)


@contextmanager
def writing(
    database: Database, hooks: Hooks, now: int, channel_ids: Sequence[int] = ()
) -> Iterator[Write]:
    """Open a write transaction serialised for these channels; once it commits, announce
    :class:`~passerelle.objects.hooks.WriteCommitted` (never if it rolls back)."""
    with database.write(channel_ids) as conn:
        write = Write(database, hooks, conn, now)
        yield write
    hooks.announce_committed(WriteCommitted(database, hooks, now, tuple(write.stored)))
