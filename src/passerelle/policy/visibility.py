"""The one place that decides what a viewer may see and do.

Every read of channels or objects, whatever the path (TAXII, CLI export, later search,
correlation, federation), builds its SQL filter here, so the rule lives in the database
query and never in a load-then-filter loop. The handling-rule policy (TLP, PAP, handling
codes) extends :func:`visible_in_channel`; callers do not change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Select, and_, exists, or_, select

from passerelle.errors import Forbidden, NotFound
from passerelle.policy.directory import Channel, channel_row_to_channel
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import channel_members, channels


def readable_channels(viewer: Viewer) -> Select[Any]:
    """Select the channels whose content the viewer's organisation may read."""
    return (
        select(channels)
        .join(channel_members, channel_members.c.channel_id == channels.c.id)
        .where(channel_members.c.org_id == viewer.org_id)
        .order_by(channels.c.title)
    )


def member_channels(conn: Connection, viewer: Viewer) -> list[Channel]:
    """Return every channel the viewer's organisation belongs to (read or write)."""
    return [channel_row_to_channel(row) for row in conn.execute(readable_channels(viewer))]


def rights_in(conn: Connection, viewer: Viewer, channel_id: int) -> tuple[bool, bool]:
    """Return (can_read, can_write) of the viewer's organisation in a channel."""
    row = conn.execute(
        select(channel_members.c.can_read, channel_members.c.can_write).where(
            channel_members.c.channel_id == channel_id,
            channel_members.c.org_id == viewer.org_id,
        )
    ).first()
    return (False, False) if row is None else (bool(row.can_read), bool(row.can_write))


def channel_for(conn: Connection, viewer: Viewer, reference: str) -> Channel:
    """Return a channel the viewer is a member of, by collection id, alias or title.

    A channel of which the viewer's organisation is not a member answers exactly like a
    channel that does not exist.
    """
    row = conn.execute(
        readable_channels(viewer).where(
            or_(
                channels.c.collection_id == reference,
                channels.c.alias == reference,
                channels.c.title == reference,
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no channel {reference!r}")
    return channel_row_to_channel(row)


def require_read(conn: Connection, viewer: Viewer, channel: Channel) -> None:
    """Refuse unless the viewer's organisation may read the channel."""
    if not rights_in(conn, viewer, channel.id)[0]:
        raise Forbidden(f"your organisation may not read channel {channel.title!r}")


def require_write(conn: Connection, viewer: Viewer, channel: Channel) -> None:
    """Refuse unless the viewer's organisation may write into the channel."""
    if not rights_in(conn, viewer, channel.id)[1]:
        raise Forbidden(f"your organisation may not write into channel {channel.title!r}")


def visible_in_channel(
    viewer: Viewer, placement: FromClause, channel_id: int
) -> ColumnElement[bool]:
    """Filter rows of ``placement`` (an alias of channel_objects) that the viewer may see.

    The viewer sees the channel's content if their organisation is a reading member. The
    membership test does not depend on the row, so the database evaluates it once.
    """
    member_reads = exists().where(
        channel_members.c.channel_id == channel_id,
        channel_members.c.org_id == viewer.org_id,
        channel_members.c.can_read.is_(True),
    )
    return and_(placement.c.channel_id == channel_id, member_reads)
