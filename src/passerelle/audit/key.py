"""The node's audit key: a secret in a file outside the database, which signs the audit log.

The file holds one JSON object, written by the node the first time it opens its database
without one (mode 0600, in a file that did not exist, so two processes starting together
agree on one key)::

    {"passerelle_audit_key": 1, "keyed_from": 1, "secret": "<64 hex digits: 32 random bytes>"}

``keyed_from`` is the sequence number of the first entry the key signs: one past the head
of the log when the key was made. It lives in the file, not in the database, so someone
who edits only the database cannot move the boundary between unkeyed and keyed entries.
On creation the node appends an ``audit-key-created`` entry at that boundary, so the log
always reaches it.

The secret is never printed, logged or put in an error message. The file must be readable
by the node alone (no access for others, no write for the group): a key others can read
signs nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any, Final

import orjson
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from passerelle.audit.log import append, row_fields, unkeyed_hash
from passerelle.errors import PasserelleError
from passerelle.store.database import AuditKey, Database, sqlite_file
from passerelle.store.schema import audit_log

FORMAT: Final = 1
# Where a node over PostgreSQL keeps its key unless told: its working directory.
WORKING_DIRECTORY_KEY: Final = "passerelle.audit-key"
_SUFFIX: Final = ".audit-key"
_SECRET: Final = re.compile(r"[0-9a-f]{64}")
_FIELDS: Final = {"passerelle_audit_key", "keyed_from", "secret"}
# A key file is some 120 bytes; anything far larger is not one.
_MAX_SIZE: Final = 4096


def key_path(configured: str, db_url: str) -> Path:
    """Return the key file: as configured, else next to a SQLite file, else in the working
    directory (``passerelle.db`` keeps its key in ``passerelle.audit-key``)."""
    if configured:
        return Path(configured)
    try:
        url = make_url(db_url)
    except ArgumentError:
        return Path(WORKING_DIRECTORY_KEY)
    database_file = sqlite_file(url)
    if database_file is not None:
        # A name that ``passerelle.db*`` (the database, its -wal and -shm files) misses,
        # so copying the database does not copy its key along.
        return Path(database_file).with_suffix(_SUFFIX)
    return Path(WORKING_DIRECTORY_KEY)


def use_audit_key(database: Database, path: Path) -> AuditKey:
    """Give the database the node's audit key: read its file, or create it on a node that
    has none yet; raise a one-line error if it is unreadable or malformed."""
    key = _read(path)
    if key is None:
        key = _create(database, path)
    database.audit_key = key
    return key


def read_key(path: Path) -> AuditKey:
    """Read an existing audit key file; raise a one-line error if there is none."""
    key = _read(path)
    if key is None:
        raise PasserelleError(f"no audit key file at {path}")
    return key


def _read(path: Path) -> AuditKey | None:
    try:
        with path.open("rb") as source:
            mode = os.fstat(source.fileno()).st_mode
            raw = source.read(_MAX_SIZE + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PasserelleError(
            f"cannot read the audit key file {path}: {exc.strerror or type(exc).__name__}"
        ) from exc
    if not stat.S_ISREG(mode):
        raise PasserelleError(f"the audit key file {path} is not a regular file")
    if mode & (stat.S_IRWXO | stat.S_IWGRP):
        raise PasserelleError(
            f"the audit key file {path} is open to other users "
            f"(mode {stat.S_IMODE(mode):04o}): make it chmod 600"
        )
    return _parse(raw, path)


def _parse(raw: bytes, path: Path) -> AuditKey:
    # Never quote the file in the message: it holds the secret.
    malformed = PasserelleError(
        f"the audit key file {path} is malformed: it must be the JSON object the node wrote "
        '({"passerelle_audit_key": 1, "keyed_from": N, "secret": 64 hex digits})'
    )
    if len(raw) > _MAX_SIZE:
        raise malformed
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise malformed from None
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise malformed
    version, keyed_from, secret = data["passerelle_audit_key"], data["keyed_from"], data["secret"]
    if type(version) is not int or version != FORMAT:
        raise malformed
    if type(keyed_from) is not int or keyed_from < 1:
        raise malformed
    if not isinstance(secret, str) or not _SECRET.fullmatch(secret):
        raise malformed
    return AuditKey(bytes.fromhex(secret), keyed_from, str(path))


class _MadeElsewhere(Exception):
    """Another process of the node created the key file first."""


def _create(database: Database, path: Path) -> AuditKey:
    try:
        with database.write() as conn:
            # Under the chain's lock: nothing is appended between reading the head and
            # writing the entry that opens the keyed era.
            database.lock_audit(conn)
            if path.exists():
                raise _MadeElsewhere
            head = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc()).limit(1))
            last = head.first()
            if last is not None and unkeyed_hash(*row_fields(last)) != last.hash:
                raise PasserelleError(
                    f"no audit key file at {path}, but the audit log is already signed by a "
                    "key (its newest entry is not an unkeyed one): give this process the "
                    "node's audit key file (PASSERELLE_AUDIT_KEY_FILE)"
                )
            key = AuditKey(secrets.token_bytes(32), (last.seq if last else 0) + 1, str(path))
            if not _write_new(path, key):
                raise _MadeElsewhere
            append(
                database,
                conn,
                key,
                username="",
                org_name="",
                action="audit-key-created",
                purpose="",
                object_ids=(),
                detail={"keyed_from": key.keyed_from},
            )
    except _MadeElsewhere:
        return read_key(path)
    return key


def _content(key: AuditKey) -> bytes:
    body = {
        "passerelle_audit_key": FORMAT,
        "keyed_from": key.keyed_from,
        "secret": key.secret.hex(),
    }
    return orjson.dumps(body) + b"\n"


def _write_new(path: Path, key: AuditKey) -> bool:
    """Write the key file unless it exists, never leaving a partial one; return whether
    this process wrote it."""
    directory = path.parent
    try:
        # mkstemp creates the file with mode 0600; the content is complete and on disk
        # before the file gets its name, so no process ever reads half a key.
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_content(key))
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
        finally:
            os.unlink(temporary)
        _sync_directory(directory)
    except OSError as exc:
        raise PasserelleError(
            f"cannot create the audit key file {path}: {exc.strerror or type(exc).__name__}"
        ) from exc
    return True


def _sync_directory(directory: Path) -> None:
    # The key must outlive a crash as surely as the entries it signed.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
