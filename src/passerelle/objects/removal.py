"""Taking object versions out of a channel (TAXII DELETE), and erasing them from the node
when the producer's node asks (a retraction that travelled from a peer) or when the
producer's organisation erases them for data-protection reasons.

Removal from a channel keeps the versions in the node's store and in every other channel
that holds them: history is never rewritten. An erasure asked by a node account takes the
versions out of every channel of the node, so no read path serves them any more (every
read goes through a placement); the stored rows stay for the audit trail. A node account
that forwarded another organisation's object here may withdraw what it placed, from that
channel only (:func:`placed_by_forwarder`): a retraction the forwarder passes on.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, and_, delete, or_, select

from passerelle.objects.hooks import Hooks, ObjectsRemoved
from passerelle.objects.queries import Entry
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import channel_objects


def remove_from_channel(
    conn: Connection,
    hooks: Hooks,
    remover: Viewer,
    channel: Channel,
    entries: Sequence[Entry],
    now: int,
) -> int:
    """Remove these versions from the channel; return how many placements went."""
    if not entries:
        return 0
    result = conn.execute(
        delete(channel_objects).where(channel_objects.c.channel_id == channel.id, _match(entries))
    )
    removed = [(e.stix_id, e.version) for e in entries]
    hooks.announce_removed(ObjectsRemoved(conn, remover, channel.id, removed, now))
    return int(result.rowcount)


def erase_everywhere(
    conn: Connection, hooks: Hooks, remover: Viewer, entries: Sequence[Entry], now: int
) -> list[int]:
    """Remove these versions from every channel of the node; return the channels' ids."""
    if not entries:
        return []
    held = sorted(
        set(
            conn.execute(
                select(channel_objects.c.channel_id).where(_match(entries)).distinct()
            ).scalars()
        )
    )
    conn.execute(delete(channel_objects).where(_match(entries)))
    removed = [(e.stix_id, e.version) for e in entries]
    for channel_id in held:
        hooks.announce_removed(ObjectsRemoved(conn, remover, channel_id, removed, now))
    return held


def placed_versions(conn: Connection, stix_id: str) -> list[str]:
    """Return the version keys of an object placed in some channel of the node."""
    rows = conn.execute(
        select(channel_objects.c.version).where(channel_objects.c.stix_id == stix_id).distinct()
    )
    return sorted(rows.scalars())


def placed_by_forwarder(
    conn: Connection, viewer: Viewer, channel: Channel, entries: Sequence[Entry]
) -> bool:
    """Tell whether a node account placed every one of these versions in the channel,
    each produced by another organisation (what it forwarded here)."""
    if not entries:
        return False
    rows = conn.execute(
        select(channel_objects.c.added_by, channel_objects.c.producer_org_id).where(
            channel_objects.c.channel_id == channel.id, _match(entries)
        )
    ).all()
    return len(rows) == len(entries) and all(
        r.added_by == viewer.user_id and r.producer_org_id != viewer.org_id for r in rows
    )


def _match(entries: Sequence[Entry]) -> ColumnElement[bool]:
    return or_(
        *(
            and_(channel_objects.c.stix_id == e.stix_id, channel_objects.c.version == e.version)
            for e in entries
        )
    )
