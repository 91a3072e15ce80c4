"""What the audit tests share: the log's rows, and writing them as an intruder does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from click.testing import Result
from sqlalchemy import delete, insert, select

from passerelle.audit import log as audit
from passerelle.store.database import Database
from passerelle.store.schema import audit_log

SIGNED = ("seq", "at", "username", "org_name", "action", "purpose", "object_ids", "detail")


def rows(database: Database) -> list[dict[str, Any]]:
    """Return the stored entries, oldest first, as plain dictionaries."""
    with database.read() as conn:
        found = conn.execute(select(audit_log).order_by(audit_log.c.seq))
        return [dict(row._mapping) for row in found]


def unkeyed(fields: dict[str, Any], prev_hash: str) -> str:
    """Hash an entry the way the chain was hashed before the audit key (SHA-256, no key)."""
    return audit.unkeyed_hash(**{name: fields[name] for name in SIGNED}, prev_hash=prev_hash)


def with_key(secret: bytes) -> Callable[[dict[str, Any], str], str]:
    """Return a hasher that signs entries as the node would with ``secret``."""
    return lambda fields, prev: audit.entry_mac(
        secret, **{name: fields[name] for name in SIGNED}, prev_hash=prev
    )


def rewrite(
    database: Database,
    entries: Sequence[dict[str, Any]],
    hasher: Callable[[dict[str, Any], str], str] = unkeyed,
) -> None:
    """Replace the whole log with these entries, renumbered and rechained by ``hasher``:
    what someone who can write the database does to hide entries."""
    prev, chained = audit.GENESIS, []
    for seq, entry in enumerate(entries, 1):
        fields = {**entry, "seq": seq}
        fields["prev_hash"] = prev
        fields["hash"] = prev = hasher(fields, prev)
        chained.append(fields)
    with database.write() as conn:
        conn.execute(delete(audit_log))
        if chained:
            conn.execute(insert(audit_log), chained)


def append_unkeyed(database: Database, count: int, action: str = "read") -> None:
    """Append entries as a node without an audit key wrote them (before this version)."""
    existing = rows(database)
    entries = existing + [
        {
            "seq": 0,
            "at": 1_700_000_000_000_000 + n,
            "username": "alice",
            "org_name": "dgsi",
            "action": action,
            "purpose": "case 12",
            "object_ids": orjson.dumps([f"indicator--{n}"]).decode(),
            "detail": "{}",
        }
        for n in range(count)
    ]
    rewrite(database, entries)


def one_line_error(result: Result) -> str:
    """Return the one line of a command that failed as the CLI contract says."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]
