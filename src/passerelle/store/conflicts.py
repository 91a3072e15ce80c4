"""Inserts that skip the rows a unique index already holds, on either backend.

The dialect's module is imported on first use: a process that never inserts such rows (a
sync pass with nothing to queue) never loads PostgreSQL's dialect on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table
    from sqlalchemy.sql.base import Executable


def insert_skipping_conflicts(
    conn: Connection, table: Table, index_elements: Sequence[str]
) -> Executable:
    """Return an INSERT into ``table`` that skips rows conflicting on ``index_elements``."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
