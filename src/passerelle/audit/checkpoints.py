"""Signed checkpoints of the audit log's head, kept away from the node.

A keyed chain shows any entry changed, removed or reordered, but not the newest entries
cut off: what is left is still a valid chain. A checkpoint says "at this time, entry N was
the head and its MAC was H", signed with the node's audit key. Kept where whoever can write
the database cannot (another host, a remote log, paper), each checkpoint later proves that
entry N still exists and is unchanged, so truncation, deletion and recomputation show.

A checkpoint is one line of JSON, appendable to a file (``--append``) or to a log whose
lines carry a prefix (syslog's): the checkpoint is the JSON object that ends the line::

    {"passerelle_audit_checkpoint":1,"seq":1234,"hash":"<64 hex>","at":"2026-...Z","mac":"<64 hex>"}
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Connection, select

from passerelle.stix.timestamps import micros_to_text, text_to_micros
from passerelle.store.chunks import chunked
from passerelle.store.database import AuditKey
from passerelle.store.schema import audit_log

FORMAT: Final = 1
# A checkpoint's MAC says what it signs, so no entry MAC can pass for one.
_CONTEXT: Final = b"passerelle audit checkpoint v1\n"
_HEX: Final = re.compile(r"[0-9a-f]{64}")
_FIELDS: Final = {"passerelle_audit_checkpoint", "seq", "hash", "at", "mac"}


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that entry ``seq`` had hash ``hash`` at time ``at``."""

    seq: int
    hash: str
    at: int
    mac: str

    def line(self) -> str:
        """Write the checkpoint as one line of JSON."""
        return orjson.dumps(
            {
                "passerelle_audit_checkpoint": FORMAT,
                "seq": self.seq,
                "hash": self.hash,
                "at": micros_to_text(self.at),
                "mac": self.mac,
            }
        ).decode()


def _mac(key: AuditKey, seq: int, hash_: str, at: int) -> str:
    material = orjson.dumps([seq, hash_, micros_to_text(at)])
    return hmac.new(key.secret, _CONTEXT + material, hashlib.sha256).hexdigest()


def sign(key: AuditKey, seq: int, hash_: str, at: int) -> Checkpoint:
    """Sign a checkpoint of entry ``seq`` whose hash is ``hash_``, taken at ``at``."""
    return Checkpoint(seq, hash_, at, _mac(key, seq, hash_, at))


def parse(line: str) -> Checkpoint | None:
    """Read a checkpoint from a line (after any prefix); None if the line holds none."""
    start = line.find("{")
    if start < 0:
        return None
    try:
        data: Any = orjson.loads(line[start:])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or set(data) != _FIELDS:
        return None
    seq, hash_, at, mac = data["seq"], data["hash"], data["at"], data["mac"]
    version = data["passerelle_audit_checkpoint"]
    if type(version) is not int or version != FORMAT or type(seq) is not int or seq < 0:
        return None
    if not all(isinstance(v, str) and _HEX.fullmatch(v) for v in (hash_, mac)):
        return None
    try:
        micros = text_to_micros(at) if isinstance(at, str) else None
    except ValueError:
        return None
    return None if micros is None else Checkpoint(seq, hash_, micros, mac)


def is_signed(key: AuditKey, checkpoint: Checkpoint) -> bool:
    """Tell whether the checkpoint carries this key's MAC."""
    expected = _mac(key, checkpoint.seq, checkpoint.hash, checkpoint.at)
    return hmac.compare_digest(expected, checkpoint.mac)


def check(conn: Connection, key: AuditKey, lines: Iterable[tuple[str, str]]) -> tuple[int, str]:
    """Check checkpoint lines, each with where it was read, against the log.

    Return how many checkpoints were checked and the first problem ("" for none). Blank
    lines and lines starting with ``#`` are skipped; any other line must be a checkpoint
    signed with this key.
    """
    found: list[tuple[str, Checkpoint]] = []
    for where, line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        checkpoint = parse(line)
        if checkpoint is None:
            return len(found), f"{where} is not an audit checkpoint"
        if not is_signed(key, checkpoint):
            return len(found), (
                f"{where}: the checkpoint is not signed by this node's audit key "
                "(forged, altered, or another node's)"
            )
        found.append((where, checkpoint))
    stored = _hashes(conn, sorted({c.seq for _, c in found if c.seq > 0}))
    for where, checkpoint in found:
        problem = _compare(checkpoint, stored)
        if problem:
            return len(found), f"{where}: {problem}"
    return len(found), ""


def _compare(checkpoint: Checkpoint, stored: dict[int, str]) -> str:
    taken = f"the checkpoint of {micros_to_text(checkpoint.at)}"
    if checkpoint.seq == 0:
        return ""
    if checkpoint.seq not in stored:
        return (
            f"entry {checkpoint.seq} of {taken} is gone: the log was cut short or "
            "entries were removed"
        )
    if not hmac.compare_digest(stored[checkpoint.seq], checkpoint.hash):
        return f"entry {checkpoint.seq} differs from {taken}: the log was rewritten"
    return ""


def _hashes(conn: Connection, seqs: list[int]) -> dict[int, str]:
    stored: dict[int, str] = {}
    for chunk in chunked(seqs):
        query = select(audit_log.c.seq, audit_log.c.hash).where(audit_log.c.seq.in_(chunk))
        stored.update((row.seq, row.hash) for row in conn.execute(query))
    return stored
