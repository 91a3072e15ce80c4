"""Recording and checking the audit log.

Each entry carries a MAC (HMAC-SHA256 under the node's audit key, :mod:`passerelle.audit.key`)
of its own fields, its position and the previous entry's MAC, so changing, removing or
reordering any entry breaks the chain, and nobody without the key file can compute a chain
that passes: the database alone is not enough to rewrite history.

Entries written before the node had a key (``seq`` below the key file's ``keyed_from``)
keep their plain SHA-256 hash and are checked as they were written; the first keyed entry
covers the last of them, so they cannot be rewritten either. The boundary comes from the
key file, never from the database. The log must reach the boundary: the node writes an
``audit-key-created`` entry there when it makes its key. Whatever its position, an entry
the node appends is always signed, so a log cut back into the unkeyed era cannot grow
back over the cut unnoticed.

Removing the newest entries leaves a shorter chain that is still consistent: signed
checkpoints of the head, kept away from the node, detect that
(:mod:`passerelle.audit.checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Connection, insert, select

from passerelle.policy.viewer import Viewer
from passerelle.stix.timestamps import micros_to_text, now_micros
from passerelle.store.database import AuditKey, Database
from passerelle.store.schema import audit_log

GENESIS = "0" * 64
# Unicode categories that never reach the log from a caller's text: controls (NUL, CR, LF,
# ESC...), format characters (bidirectional overrides, zero-width), surrogates, line and
# paragraph separators.
_UNPRINTABLE: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Every MAC says what it signs, so an entry's MAC can never pass for a checkpoint's.
_ENTRY_CONTEXT: Final = b"passerelle audit entry v1\n"

# Every write appends an entry: the statements are built once (building them with
# SQLAlchemy cost more than running them), and each append only runs them.
_LAST_ENTRY: Final = (
    select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
)
_APPEND: Final = insert(audit_log)
# The columns an entry's hash covers, in the order they are hashed.
_SIGNED: Final = (
    "seq", "at", "username", "org_name", "action", "purpose", "object_ids", "detail", "prev_hash",
)  # fmt: skip


def printable(text: str, limit: int | None = None) -> str:
    """Return a caller's text without the characters that never reach the log, at most
    ``limit`` characters of it (read no further than that)."""
    kept = (c for c in text if unicodedata.category(c) not in _UNPRINTABLE)
    return "".join(itertools.islice(kept, limit))


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


def unkeyed_hash(
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
    """Hash an entry of the era before the audit key, as it was written then."""
    material = orjson.dumps(
        [seq, at, username, org_name, action, purpose, object_ids, detail, prev_hash]
    )
    return hashlib.sha256(material).hexdigest()


def entry_mac(
    secret: bytes,
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
    """Sign an entry's fields and the previous entry's MAC with the node's audit key."""
    material = orjson.dumps(
        [seq, at, username, org_name, action, purpose, object_ids, detail, prev_hash]
    )
    return hmac.new(secret, _ENTRY_CONTEXT + material, hashlib.sha256).hexdigest()


def expected_hash(key: AuditKey, fields: Sequence[Any]) -> str:
    """Return what an entry's hash must be: its MAC, or its plain hash before the key."""
    if fields[0] < key.keyed_from:
        return unkeyed_hash(*fields)
    return entry_mac(key.secret, *fields)


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
    if database.audit_key is None:
        # Never fall back to an unkeyed entry: it would be a hole anyone could fill.
        raise RuntimeError("the database was opened without the node's audit key")
    append(
        database,
        conn,
        database.audit_key,
        username=viewer.username if viewer else username,
        org_name=viewer.org_name if viewer else "",
        action=action,
        purpose=viewer.purpose if viewer else "",
        object_ids=object_ids,
        detail=detail,
    )


def append(
    database: Database,
    conn: Connection,
    key: AuditKey,
    *,
    username: str,
    org_name: str,
    action: str,
    purpose: str,
    object_ids: Iterable[str],
    detail: dict[str, Any] | None,
) -> None:
    """Append an entry signed with ``key`` (``record`` takes the database's own key)."""
    database.lock_audit(conn)
    last = conn.execute(_LAST_ENTRY).first()
    seq = (last.seq if last else 0) + 1
    fields: dict[str, Any] = {
        "seq": seq,
        "at": now_micros(),
        "username": username,
        "org_name": org_name,
        "action": action,
        "purpose": purpose,
        "object_ids": orjson.dumps(list(object_ids)).decode(),
        "detail": orjson.dumps(detail or {}, option=orjson.OPT_SORT_KEYS).decode(),
        "prev_hash": last.hash if last else GENESIS,
    }
    # Always a MAC, even below the key's first entry: were the log cut back into the
    # unkeyed era, entries written unkeyed again would hide the cut.
    signed = entry_mac(key.secret, *(fields[name] for name in _SIGNED))
    conn.execute(_APPEND, {**fields, "hash": signed})


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


def row_fields(row: Any) -> tuple[Any, ...]:
    """Return a stored entry's signed fields, in the order they are signed."""
    return tuple(getattr(row, name) for name in _SIGNED)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the chain: entries checked, the head, the first break."""

    ok: bool
    checked: int
    head: str
    problem: str = ""
    head_seq: int = 0
    keyed_from: int = 1


def verify(conn: Connection, key: AuditKey) -> Verdict:
    """Walk the chain from the first entry and report the first break."""
    result = conn.execution_options(yield_per=1000).execute(
        select(audit_log).order_by(audit_log.c.seq)
    )
    try:
        return _walk(result, key)
    finally:
        result.close()


def _walk(rows: Iterable[Any], key: AuditKey) -> Verdict:
    prev, expected_seq, checked = GENESIS, 1, 0

    def broken(problem: str) -> Verdict:
        return Verdict(False, checked, prev, problem, expected_seq - 1, key.keyed_from)

    for row in rows:
        if row.seq != expected_seq:
            return broken(f"entry {expected_seq} is missing (found {row.seq})")
        if row.prev_hash != prev:
            return broken(f"entry {row.seq} does not follow entry {row.seq - 1}")
        if not hmac.compare_digest(expected_hash(key, row_fields(row)), row.hash):
            return broken(f"entry {row.seq} was altered")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    if checked < key.keyed_from:
        # The key file says entries reach at least this far: the tail was cut off.
        return broken(
            f"the log ends at entry {checked}, before entry {key.keyed_from} where "
            f"the audit key ({key.path}) starts: entries were removed"
        )
    return Verdict(True, checked, prev, "", checked, key.keyed_from)
