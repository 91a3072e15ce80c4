"""Reading watches and hits as their organisation sees them.

Every query starts from :func:`passerelle.policy.workflow.watches_kept_by`: a watch of
another organisation answers exactly like an id that does not exist. Hits are shown only
while the reader may still see the matching version, and a subject the reader may not see
is named by its bare id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, or_, select

from passerelle.core.context import stamp
from passerelle.core.references import find_record
from passerelle.exchange.watches.models import Hit, Watch, WatchState
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import object_visible_anywhere, placement_rule
from passerelle.policy.withholding import withheld_seen
from passerelle.policy.workflow import watches_kept_by
from passerelle.store.chunks import chunked
from passerelle.store.schema import users, watch_hits, watch_keys, watches


def _version_visible(viewer: Viewer, stix_id: Any, version: Any) -> Any:
    placement, visible = placement_rule(viewer, "seen_placement")
    return exists().where(
        placement.c.stix_id == stix_id,
        placement.c.version == version,
        visible,
    )


def select_watches(viewer: Viewer) -> Select[Any]:
    """Select the watches the viewer's organisation keeps, with their users' names."""
    owner = users.alias("owner_user")
    creator = users.alias("creator_user")
    return (
        select(
            watches,
            owner.c.username.label("owner_name"),
            creator.c.username.label("creator_name"),
        )
        .join(owner, owner.c.id == watches.c.owner_id)
        .join(creator, creator.c.id == watches.c.created_by)
        .where(watches_kept_by(viewer))
    )


def running(viewer: Viewer, now: int) -> Any:
    """Return the condition of the viewer's organisation's watches still running at ``now``."""
    return and_(
        watches_kept_by(viewer),
        watches.c.ended.is_(None),
        or_(watches.c.until.is_(None), watches.c.until > now),
    )


def resolve_watch(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the row of the watch the viewer means, by full id or unique uuid prefix.

    A watch of another organisation is never matched, so it answers like a missing one.
    """
    query = select_watches(viewer)
    return find_record(conn, query, watches.c.id, "watch", "watch", reference)


def _state(row: Any, now: int, warning: int) -> WatchState:
    if row.ended is not None:
        return "ended"
    if row.until is not None and row.until <= now:
        return "expired"
    if row.until is not None and row.until - now <= warning:
        return "expiring"
    return "active"


def _keys_and_counts(
    conn: Connection, viewer: Viewer, ids: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Return the keys of each watch, and the number of its hits the viewer may see."""
    keys: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for chunk in chunked(ids):
        for key_row in conn.execute(
            select(watch_keys.c.watch_id, watch_keys.c.key)
            .where(watch_keys.c.watch_id.in_(chunk))
            .order_by(watch_keys.c.key)
        ):
            keys.setdefault(key_row.watch_id, []).append(key_row.key)
        counted = conn.execute(
            select(watch_hits.c.watch_id, func.count().label("n"))
            .where(
                watch_hits.c.watch_id.in_(chunk),
                _version_visible(viewer, watch_hits.c.stix_id, watch_hits.c.version),
            )
            .group_by(watch_hits.c.watch_id)
        )
        counts.update({r.watch_id: r.n for r in counted})
    return keys, counts


def watch_views(
    conn: Connection, viewer: Viewer, rows: Sequence[Any], now: int, warning: int
) -> list[Watch]:
    """Return the views of watch rows (of :func:`select_watches`) for the viewer."""
    keys, counts = _keys_and_counts(conn, viewer, [row.id for row in rows])
    labels = _Labels(conn, viewer)
    return [
        Watch(
            id=row.id,
            kind=row.kind,
            label=labels.of(row),
            subject_id=row.subject_id,
            owner=row.owner_name,
            created_by=row.creator_name,
            created=stamp(row.created) or "",
            until=stamp(row.until),
            ended=stamp(row.ended),
            state=_state(row, now, warning),
            source_tip_id=row.source_tip_id,
            keys=keys.get(row.id, []) if labels.shown(row) else [],
            hits=counts.get(row.id, 0),
        )
        for row in rows
    ]


class _Labels:
    """What a user is told a watch is about: a subject's name only if they may see it."""

    def __init__(self, conn: Connection, viewer: Viewer) -> None:
        self._conn = conn
        self._viewer = viewer
        self._seen: dict[str, bool] = {}

    def shown(self, row: Any) -> bool:
        """Tell whether the user may see what the watch is about (not a TLP:RED subject
        of others, nor an H3 one they have not acknowledged)."""
        if row.subject_id is None:
            return True
        if row.subject_id not in self._seen:
            subject = row.subject_id
            self._seen[subject] = object_visible_anywhere(
                self._conn, self._viewer, subject
            ) and not withheld_seen(self._conn, self._viewer, [subject])
        return self._seen[row.subject_id]

    def of(self, row: Any) -> str:
        """Return the label, or the bare subject id when the subject is hidden from the user."""
        return str(row.label) if self.shown(row) else f"{row.subject_id} (hidden from you)"


def watch_view(conn: Connection, viewer: Viewer, watch_id: str, now: int, warning: int) -> Watch:
    """Return the view of one watch of the viewer's organisation."""
    row = conn.execute(select_watches(viewer).where(watches.c.id == watch_id)).one()
    return watch_views(conn, viewer, [row], now, warning)[0]


def hits_query(viewer: Viewer) -> Select[Any]:
    """Select the hits of the viewer's organisation on versions they may see, newest first."""
    return (
        select(
            watch_hits,
            watches.c.label,
            watches.c.subject_id,
        )
        .join(watches, watches.c.id == watch_hits.c.watch_id)
        .where(
            watches_kept_by(viewer),
            _version_visible(viewer, watch_hits.c.stix_id, watch_hits.c.version),
        )
        .order_by(watch_hits.c.at.desc(), watch_hits.c.id.desc())
    )


def hit_views(conn: Connection, viewer: Viewer, rows: Iterable[Any]) -> list[Hit]:
    """Return the views of hit rows (of :func:`hits_query`) for the viewer."""
    labels = _Labels(conn, viewer)
    return [
        Hit(
            id=row.id,
            watch_id=row.watch_id,
            watch_label=labels.of(row),
            matched=row.matched,
            object_id=row.stix_id,
            object_type=row.stix_id.split("--", 1)[0],
            version=row.version,
            at=stamp(row.at) or "",
            report_state=row.report_state,
            report_id=row.report_id,
            report_reason=row.report_reason,
        )
        for row in rows
    ]
