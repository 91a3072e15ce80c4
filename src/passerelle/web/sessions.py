"""Signed-in web sessions, kept on the server.

The browser holds only a random session id (256 bits) in an ``HttpOnly; SameSite=Strict;
Secure`` cookie; the database keeps its SHA-256, so reading the table signs nobody in.
Each session has its synchronizer CSRF token, the purpose its user declared at sign-in,
and the times it began and was last used: one unused for longer than the idle timeout, or
older than its lifetime, ends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from passerelle.policy.directory import active_viewer
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import web_sessions

SESSION_COOKIE = "passerelle_session"


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: who, for which purpose, and the token its forms carry."""

    viewer: Viewer
    csrf_token: str

    def csrf_matches(self, presented: str) -> bool:
        """Tell whether a form carried this session's CSRF token."""
        return hmac.compare_digest(presented.encode("utf-8"), self.csrf_token.encode("utf-8"))


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Limits:
    """How long a session may stay unused, and how long it may last at all (micros)."""

    idle_timeout: int
    lifetime: int


def start_session(conn: Connection, viewer: Viewer, now: int, limits: Limits) -> str:
    """Open a session for a signed-in viewer and return its id (for the cookie only);
    ended sessions, anyone's, are removed on the way."""
    conn.execute(
        delete(web_sessions).where(
            (web_sessions.c.last_seen < now - limits.idle_timeout)
            | (web_sessions.c.created < now - limits.lifetime)
        )
    )
    session_id = secrets.token_urlsafe(32)
    conn.execute(
        web_sessions.insert().values(
            id_hash=_hash(session_id),
            user_id=viewer.user_id,
            purpose=viewer.purpose,
            csrf_token=secrets.token_urlsafe(32),
            created=now,
            last_seen=now,
        )
    )
    return session_id


def resume_session(
    conn: Connection, session_id: str, now: int, limits: Limits, touch: bool = True
) -> WebSession | None:
    """Return the live session of this id and, with ``touch``, mark it used now; None if
    there is none, or it has been idle too long or lasted its lifetime (then it ends)."""
    key = _hash(session_id)
    row = conn.execute(select(web_sessions).where(web_sessions.c.id_hash == key)).first()
    if row is None:
        return None
    if now - row.last_seen > limits.idle_timeout or now - row.created > limits.lifetime:
        conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == key))
        return None
    if touch:
        conn.execute(
            web_sessions.update().where(web_sessions.c.id_hash == key).values(last_seen=now)
        )
    viewer = active_viewer(conn, row.user_id, row.purpose)
    if viewer is None:  # the user was disabled: the session ends with them
        conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == key))
        return None
    return WebSession(viewer, row.csrf_token)


def end_session(conn: Connection, session_id: str) -> None:
    """End a session (signing out)."""
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _hash(session_id)))
