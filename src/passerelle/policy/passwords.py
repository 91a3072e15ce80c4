"""Web passwords: argon2id hashes, checked in constant work whether the user exists.

API tokens are random and need only a fast hash (:mod:`.tokens`); a password is chosen by
a person and may be guessable, so it is stored with argon2id (argon2-cffi's defaults, the
parameters of RFC 9106's second recommendation) and rehashed when those defaults change.
"""

from __future__ import annotations

import functools
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, select

from passerelle.errors import BadInput, NotFound
from passerelle.policy.directory import active_viewer
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import users, web_sessions

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 1024


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _decoy() -> str:
    # Verified against when the user does not exist, so that the answer takes as long.
    return _hasher().hash("no user has this password")


def set_password(conn: Connection, username: str, password: str) -> None:
    """Set a user's web password (at least 12 characters), replacing any earlier one; the
    user's open web sessions end (whoever knew the old password is signed out)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise BadInput(f"a password needs {MIN_LENGTH} to {MAX_LENGTH} characters")
    if password != password.strip():
        raise BadInput("a password must not begin or end with spaces")
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        raise NotFound(f"no user named {username!r}")
    conn.execute(
        users.update().where(users.c.id == user_id).values(password_hash=_hasher().hash(password))
    )
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def has_password(conn: Connection, user_id: int) -> bool:
    """Tell whether a user has a web password."""
    found = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    return bool(found)


def viewer_by_password(
    conn: Connection, username: str, password: str, purpose: str = ""
) -> Viewer | None:
    """Return the user these credentials sign in, or None (no such user, no password set,
    or a wrong one: the same answer and the same work)."""
    row = conn.execute(
        select(users.c.id, users.c.password_hash).where(users.c.username == username)
    ).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        _hasher().verify(stored or _decoy(), password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None:
        return None
    if _hasher().check_needs_rehash(stored):
        conn.execute(
            users.update()
            .where(users.c.id == row.id)
            .values(password_hash=_hasher().hash(password))
        )
    return active_viewer(conn, row.id, purpose)
