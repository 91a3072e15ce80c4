"""Writing a new watch: its row and the keys that the ingest looks up."""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection

from passerelle.core.context import new_id
from passerelle.durations import DAY
from passerelle.exchange.watches.models import Kind
from passerelle.keys.names import MAX_NAME
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import watch_keys, watches

# How long a watch runs when nobody says: its owner is warned before the end and extends it.
DEFAULT_TERM: Final = 365 * DAY


def create_watch(
    conn: Connection,
    *,
    owner: Viewer,
    created_by: Viewer,
    kind: Kind,
    label: str,
    keys: set[str],
    until: int,
    now: int,
    subject_id: str | None = None,
    source_tip_id: str | None = None,
) -> str:
    """Store a watch kept by the owner's organisation and its keys; return its id."""
    watch_id = new_id("watch")
    conn.execute(
        watches.insert().values(
            id=watch_id,
            org_id=owner.org_id,
            owner_id=owner.user_id,
            created_by=created_by.user_id,
            kind=kind,
            label=label[:MAX_NAME],
            subject_id=subject_id,
            created=now,
            until=until,
            ended=None,
            source_tip_id=source_tip_id,
        )
    )
    conn.execute(watch_keys.insert(), [{"watch_id": watch_id, "key": key} for key in sorted(keys)])
    return watch_id
