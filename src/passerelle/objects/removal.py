"""Taking object versions out of a channel (TAXII DELETE).

The versions stay in the node's store and in every other channel that holds them:
removal from a channel is not erasure, and history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, delete, or_

from passerelle.objects.queries import Entry
from passerelle.policy.directory import Channel
from passerelle.store.schema import channel_objects


def remove_from_channel(conn: Connection, channel: Channel, entries: Sequence[Entry]) -> int:
    """Remove these versions from the channel; return how many placements went."""
    if not entries:
        return 0
    match = or_(
        *(
            and_(channel_objects.c.stix_id == e.stix_id, channel_objects.c.version == e.version)
            for e in entries
        )
    )
    result = conn.execute(
        delete(channel_objects).where(channel_objects.c.channel_id == channel.id, match)
    )
    return int(result.rowcount)
