"""What the inbox shows of watches: recent hits, and watches about to lapse.

A watch never lapses silently: its owner is warned ``watch_warning`` (7 days) before it
expires, and sees it for :data:`RECENT` after it expired without being extended.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection

from passerelle.durations import DAY
from passerelle.exchange.watches.models import WatchNotices
from passerelle.exchange.watches.reading import hit_views, hits_query, select_watches, watch_views
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.settings import ExchangeSettings
from passerelle.store.schema import watch_hits, watches

# How far back the inbox shows hits, and watches that expired without being extended.
RECENT: Final = 14 * DAY
INBOX_HITS: Final = 50


def inbox_notices(
    conn: Connection,
    viewer: Viewer,
    now: int,
    *,
    warning: int = ExchangeSettings.watch_warning,
) -> WatchNotices:
    """Return what the inbox shows of watches: recent hits, and the viewer's watches that
    expire within ``warning`` or expired in the last :data:`RECENT` without extension."""
    if viewer.role is Role.AUDITOR:
        return WatchNotices(hits=[], expiring=[], expired=[])
    hits = conn.execute(hits_query(viewer).where(watch_hits.c.at > now - RECENT).limit(INBOX_HITS))
    mine = select_watches(viewer).where(
        watches.c.owner_id == viewer.user_id, watches.c.ended.is_(None)
    )
    expiring = conn.execute(
        mine.where(watches.c.until > now, watches.c.until <= now + warning).order_by(
            watches.c.until
        )
    ).all()
    expired = conn.execute(
        mine.where(watches.c.until <= now, watches.c.until > now - RECENT).order_by(
            watches.c.until.desc()
        )
    ).all()
    return WatchNotices(
        hits=hit_views(conn, viewer, hits),
        expiring=watch_views(conn, viewer, expiring, now, warning),
        expired=watch_views(conn, viewer, expired, now, warning),
    )
