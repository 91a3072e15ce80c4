"""Naming a workflow record (tip, RFI, watch) by its full id or a unique prefix of it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select

from passerelle.errors import BadInput, NotFound

MIN_PREFIX = 8
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PREFIX = re.compile(r"^[0-9a-f-]+$")


def unknown(label: str, reference: str) -> NotFound:
    """The one answer for a record that does not exist or that the asker may not know of."""
    return NotFound(f"no {label} {reference.strip()[:80]!r}")


def find_record(
    conn: Connection,
    query: Select[Any],
    column: ColumnElement[str],
    kind: str,
    label: str,
    reference: str,
) -> Any:
    """Return the row of ``query`` (already limited to what the asker may know of) that
    ``reference`` names: ``kind--<uuid>``, the uuid, or at least 8 characters of it.

    Records the asker may not know of are never matched, so they answer like missing ones.
    """
    tail = reference.strip().lower().removeprefix(f"{kind}--")
    if _UUID.match(tail):
        row = conn.execute(query.where(column == f"{kind}--{tail}")).first()
        if row is None:
            raise unknown(label, reference)
        return row
    if not _PREFIX.match(tail):
        raise unknown(label, reference)
    if len(tail) < MIN_PREFIX:
        raise BadInput(
            f"{label} {reference.strip()[:80]!r}: give the full id or at least "
            f"{MIN_PREFIX} characters of it after '{kind}--'"
        )
    found = conn.execute(
        query.where(column.startswith(f"{kind}--{tail}", autoescape=True)).limit(2)
    ).all()
    if not found:
        raise unknown(label, reference)
    if len(found) > 1:
        raise BadInput(f"{label} {reference.strip()[:80]!r} is ambiguous: give more of its id")
    return found[0]
