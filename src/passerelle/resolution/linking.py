"""Linking newly stored objects to entities."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from passerelle.policy.viewer import Viewer
from passerelle.store.database import Database


def link_new_versions(
    database: Database,
    conn: Connection,
    viewer: Viewer,
    versions: Sequence[tuple[str, str, str]],
    now: int,
) -> None:
    """Resolve newly stored identities, intrusion-sets, threat-actors and locations."""
    del database, conn, viewer, versions, now
