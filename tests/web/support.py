"""Helpers of the web interface's tests: signing in through the form or straight into a
session, reading a page's CSRF token and the ids it renders."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.policy.directory import viewer_by_name
from passerelle.store.database import Database
from passerelle.store.schema import users
from passerelle.web.sessions import SESSION_COOKIE, Limits, start_session

PASSWORD = "correct horse battery staple"
# Session cookies are Secure: the in-process client speaks "https" so that it sends them.
BASE_URL = "https://testserver"


def csrf_of(html: str) -> str:
    """Return the CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def rendered(html: str, attribute: str) -> list[str]:
    """Return the values of a data attribute in a page, in order (``data-tip`` ...)."""
    return re.findall(rf'data-{attribute}="([^"]+)"', html)


@functools.cache
def _password_hash() -> str:
    # Hashed once for the whole run: argon2 is slow by design.
    return PasswordHasher().hash(PASSWORD)


def set_passwords(database: Database, *usernames: str) -> None:
    """Give users the test password (as `passerelle user password` stores it)."""
    with database.write() as conn:
        conn.execute(
            users.update()
            .where(users.c.username.in_(usernames))
            .values(password_hash=_password_hash())
        )


def sign_in(
    client: TestClient, username: str, password: str = PASSWORD, purpose: str = "triage"
) -> int:
    """Sign in through the form; return the status of the answer (303 when it worked)."""
    token = csrf_of(client.get("/signin").text)
    answer = client.post(
        "/signin",
        data={"csrf": token, "username": username, "password": password, "purpose": purpose},
        follow_redirects=False,
    )
    return answer.status_code


@contextmanager
def session_client(app: FastAPI, database: Database, username: str) -> Iterator[TestClient]:
    """Return a client holding a fresh session of a user (no password needed)."""
    with database.write() as conn:
        viewer = viewer_by_name(conn, username, "matrix test")
        web = app.state.settings.web
        session_id = start_session(
            conn, viewer, app.state.clock(), Limits(web.idle_timeout, web.lifetime)
        )
    with TestClient(app, base_url=BASE_URL) as client:
        client.cookies.set(SESSION_COOKIE, session_id)
        yield client
