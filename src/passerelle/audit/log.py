"""Recording and checking the audit log.

Each entry's hash covers its own fields, its position and the previous entry's hash, so
changing, removing or reordering any entry breaks every hash after it. (Removing the
newest entries leaves a shorter chain that is still consistent; exporting the head hash
elsewhere, as ``audit verify`` prints it, is what detects that.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Connection, insert, select

from passerelle.policy.viewer import Viewer
from passerelle.stix.timestamps import micros_to_text, now_micros
from passerelle.store.database import Database
from passerelle.store.schema import audit_log

GENESIS = "0" * 64

# Every write appends an entry: the statements are built once (building them with
# SQLAlchemy cost more than running them), and each append only runs them.
_LAST_ENTRY: Final = (
    select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
)
_APPEND: Final = insert(audit_log)


@dataclass(frozen=True)
class Entry:
    """One audit entry."""

    seq: int
    at: int
    username: str
    org_name: str
    action: str
    purpose: str
    object_ids: tuple[str, ...]
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """Render for JSON output."""
        return {
            "seq": self.seq,
            "at": micros_to_text(self.at),
            "user": self.username,
            "organisation": self.org_name,
            "action": self.action,
            "purpose": self.purpose,
            "objects": list(self.object_ids),
            "detail": self.detail,
            "hash": self.hash,
        }


def entry_hash(
    seq: int,
    at: int,
    username: str,
    org_name: str,
    action: str,
    purpose: str,
    object_ids: str,
    detail: str,
    prev_hash: str,
) -> str:
    """Hash an entry's fields together with the previous entry's hash."""
    material = orjson.dumps(
        [seq, at, username, org_name, action, purpose, object_ids, detail, prev_hash]
    )
    return hashlib.sha256(material).hexdigest()


def record(
    database: Database,
    conn: Connection,
    viewer: Viewer | None,
    action: str,
    object_ids: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
    *,
    username: str = "",
) -> None:
    """Append an entry inside the caller's write transaction."""
    database.lock_audit(conn)
    last = conn.execute(_LAST_ENTRY).first()
    seq = (last.seq if last else 0) + 1
    prev = last.hash if last else GENESIS
    fields: dict[str, Any] = {
        "seq": seq,
        "at": now_micros(),
        "username": viewer.username if viewer else username,
        "org_name": viewer.org_name if viewer else "",
        "action": action,
        "purpose": viewer.purpose if viewer else "",
        "object_ids": orjson.dumps(list(object_ids)).decode(),
        "detail": orjson.dumps(detail or {}, option=orjson.OPT_SORT_KEYS).decode(),
        "prev_hash": prev,
    }
    conn.execute(_APPEND, {**fields, "hash": entry_hash(**fields)})


def record_alone(
    database: Database,
    viewer: Viewer | None,
    action: str,
    object_ids: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
    *,
    username: str = "",
) -> None:
    """Append an entry in a transaction of its own (after a read)."""
    with database.write() as conn:
        record(database, conn, viewer, action, object_ids, detail, username=username)


def _entries(rows: Iterable[Any]) -> Iterator[Entry]:
    for row in rows:
        yield Entry(
            seq=row.seq,
            at=row.at,
            username=row.username,
            org_name=row.org_name,
            action=row.action,
            purpose=row.purpose,
            object_ids=tuple(orjson.loads(row.object_ids)),
            detail=orjson.loads(row.detail),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


def entries(
    conn: Connection, object_id: str | None = None, username: str | None = None
) -> list[Entry]:
    """Return entries, oldest first, optionally about one object or by one user."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if username:
        query = query.where(audit_log.c.username == username)
    if object_id:
        # Ids are stored as a JSON list; match the quoted id, then confirm exactly.
        query = query.where(audit_log.c.object_ids.contains(f'"{object_id}"'))
    found = list(_entries(conn.execute(query)))
    return [e for e in found if not object_id or object_id in e.object_ids]


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the chain."""

    ok: bool
    checked: int
    head: str
    problem: str = ""


def verify(conn: Connection) -> Verdict:
    """Walk the chain from the first entry and report the first break."""
    result = conn.execution_options(yield_per=1000).execute(
        select(audit_log).order_by(audit_log.c.seq)
    )
    try:
        return _walk(result)
    finally:
        result.close()


def _walk(rows: Iterable[Any]) -> Verdict:
    prev, expected_seq, checked = GENESIS, 1, 0
    for row in rows:
        if row.seq != expected_seq:
            return Verdict(
                False, checked, prev, f"entry {expected_seq} is missing (found {row.seq})"
            )
        if row.prev_hash != prev:
            return Verdict(
                False, checked, prev, f"entry {row.seq} does not follow entry {row.seq - 1}"
            )
        fields: Sequence[Any] = (
            row.seq, row.at, row.username, row.org_name, row.action,
            row.purpose, row.object_ids, row.detail, row.prev_hash,
        )  # fmt: skip
        if entry_hash(*fields) != row.hash:
            return Verdict(False, checked, prev, f"entry {row.seq} was altered")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return Verdict(True, checked, prev)
