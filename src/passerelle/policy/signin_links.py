"""One-time sign-in links: a token an admin hands a user (the command line prints it, the
REST API answers it), good for one sign-in to the web interface before it expires. Only
its SHA-256 is stored; using it deletes it, so two browsers racing with the same link open
one session at most."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sqlalchemy import Connection, delete, select

from passerelle.durations import DAY
from passerelle.errors import BadInput, NotFound
from passerelle.policy.directory import active_viewer
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import users, web_links

LINK_PATH: Final = "/signin/link/"
# A link is a bearer secret on its way through mail or chat: it lives a day at most.
LONGEST: Final = DAY


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(conn: Connection, username: str, now: int, valid_for: int) -> str:
    """Return a new one-time sign-in token for a user, good until ``now + valid_for``."""
    if valid_for > LONGEST:
        raise BadInput("a sign-in link is good for 24h at most")
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        raise NotFound(f"no user named {username!r}")
    conn.execute(delete(web_links).where(web_links.c.expires < now))
    token = secrets.token_urlsafe(32)
    conn.execute(
        web_links.insert().values(token_hash=_hash(token), user_id=user_id, expires=now + valid_for)
    )
    return token


def use_link(conn: Connection, token: str, now: int, purpose: str) -> Viewer | None:
    """Spend a sign-in token: return its user (None if unknown, used or expired)."""
    key = _hash(token)
    row = conn.execute(select(web_links).where(web_links.c.token_hash == key)).first()
    if row is None:
        return None
    spent = conn.execute(delete(web_links).where(web_links.c.token_hash == key))
    if spent.rowcount != 1 or row.expires < now:
        return None
    return active_viewer(conn, row.user_id, purpose)
