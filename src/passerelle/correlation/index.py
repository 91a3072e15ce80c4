"""The correlation index: observable keys of every stored version."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from passerelle.store.database import Database


def index_new_versions(
    database: Database, conn: Connection, versions: Sequence[tuple[str, str, str]]
) -> None:
    """Record the correlation keys of newly stored versions (stix_id, version, body JSON)."""
    del database, conn, versions
