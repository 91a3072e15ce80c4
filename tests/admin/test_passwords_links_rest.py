"""A user's web password and one-time sign-in links over REST
(``/api/admin/users/{username}/password`` and ``/link``): an admin of the user's
organisation, or (the password) the user themself with their current one. Everybody else
is refused, every change and every refusal is in the audit log, and neither the password
nor the link's token is ever in the log or the server's messages."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.policy import directory, passwords, register
from passerelle.policy.roles import Role
from passerelle.policy.signin_links import LINK_PATH, use_link
from tests.world import World

NEW = "correct horse battery staple"
OLD = "an older pass phrase"


def _setup(world: World) -> None:
    """dgsi's admin dora and auditor audrey, fsb's admin fred, dgsi's disabled admin dan;
    alice (dgsi) has the password OLD."""
    with world.database.write() as conn:
        for org, name, role in (
            ("dgsi", "dora", Role.ADMIN),
            ("dgsi", "audrey", Role.AUDITOR),
            ("fsb", "fred", Role.ADMIN),
            ("dgsi", "dan", Role.ADMIN),
        ):
            world.tokens[name] = directory.add_user(conn, org, name, role)
        passwords.set_password(conn, "alice", OLD)
        dan = register.user_in(conn, "dan", None)[0]
        register.set_disabled(conn, dan, True)


def _post(api: TestClient, world: World, who: str | None, path: str, body: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {world.tokens[who]}"} if who else {}
    return api.post(path, json=body, headers=headers)


def _entries(world: World, action: str | None = None) -> list[audit.Entry]:
    with world.database.read() as conn:
        return [e for e in audit.entries(conn) if action is None or e.action == action]


def _signs_in(world: World, username: str, password: str) -> bool:
    with world.database.write() as conn:
        return passwords.viewer_by_password(conn, username, password) is not None


def _no_secret_anywhere(world: World, caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    logged = orjson.dumps([(e.action, e.username, e.detail) for e in _entries(world)]).decode()
    messages = "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
        assert secret not in messages


PASSWORD = "/api/admin/users/{}/password"
LINK = "/api/admin/users/{}/link"


def test_an_admin_sets_a_password_and_the_user_changes_their_own(
    api: TestClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _setup(world)
    done = _post(api, world, "dora", PASSWORD.format("alain"), {"password": NEW})
    assert done.status_code == 200, done.text
    assert _signs_in(world, "alain", NEW)
    (entry,) = _entries(world, "admin.user-password")
    assert (entry.username, entry.detail["user"]) == ("dora", "alain")
    assert (entry.detail["before"], entry.detail["after"]) == (
        {"password": "none"},
        {"password": "set"},
    )
    # alice changes her own, proving the current one; a wrong one is refused and audited.
    wrong = {"password": NEW, "old_password": "not the old one"}
    assert _post(api, world, "alice", PASSWORD.format("alice"), wrong).status_code == 403
    assert _signs_in(world, "alice", OLD)
    (refused,) = _entries(world, "admin.refused")
    assert refused.username == "alice"
    assert refused.detail["reason"] == "that is not your current password"
    mine = {"password": NEW, "old_password": OLD}
    assert _post(api, world, "alice", PASSWORD.format("alice"), mine).status_code == 200
    assert _signs_in(world, "alice", NEW)
    assert not _signs_in(world, "alice", OLD)
    assert _entries(world, "admin.user-password")[-1].username == "alice"
    # Too short, or an old password for someone else: 400, one line.
    short = _post(api, world, "dora", PASSWORD.format("alain"), {"password": "short"})
    assert (short.status_code, "12" in short.json()["description"]) == (400, True)
    other = {"password": NEW, "old_password": OLD}
    assert _post(api, world, "dora", PASSWORD.format("alice"), other).status_code == 400
    _no_secret_anywhere(world, caplog, NEW, OLD, "not the old one")


def test_nobody_else_sets_a_password(api: TestClient, world: World) -> None:
    _setup(world)
    asks = [
        ("fred", "alain", 404),  # another organisation's admin: not found
        ("alice", "alain", 403),  # a plain user
        ("audrey", "alain", 403),  # an auditor
        ("alice", "alice", 403),  # one's own, without the current password
        ("dan", "alain", 401),  # a disabled admin
        (None, "alain", 401),  # no token
    ]
    for who, target, expected in asks:
        answer = _post(api, world, who, PASSWORD.format(target), {"password": NEW})
        assert answer.status_code == expected, (who, target, answer.text)
    assert not _signs_in(world, "alain", NEW)
    assert _signs_in(world, "alice", OLD)
    refused = _entries(world, "admin.refused")
    assert [(e.username, e.detail["action"]) for e in refused] == [
        (who, "admin.user-password") for who in ("fred", "alice", "audrey", "alice")
    ]
    assert _entries(world, "admin.user-password") == []


def test_an_admin_issues_a_one_time_link(
    api: TestClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _setup(world)
    answer = _post(api, world, "dora", LINK.format("alain"), {"username": "alain", "valid": "1h"})
    assert answer.status_code == 200, answer.text
    path = answer.json()["path"]
    assert path.startswith(LINK_PATH)
    token = path.removeprefix(LINK_PATH)
    (entry,) = _entries(world, "admin.user-link")
    assert (entry.username, entry.detail["user"], entry.detail["after"]) == (
        "dora",
        "alain",
        {"sign_in_link": "1h"},
    )
    _no_secret_anywhere(world, caplog, token)
    for valid in ("48h", "soon"):
        bad = _post(api, world, "dora", LINK.format("alain"), {"valid": valid})
        assert bad.status_code == 400
    with world.database.write() as conn:
        signed = use_link(conn, token, 0, "triage")
        assert signed is not None
        assert signed.username == "alain"
        assert use_link(conn, token, 0, "triage") is None  # good for one sign-in


def test_nobody_else_issues_a_link(api: TestClient, world: World) -> None:
    _setup(world)
    asks = [
        ("fred", "alain", 404),
        ("alice", "alain", 403),
        ("alice", "alice", 403),  # a plain user's own: an admin's decision
        ("audrey", "alain", 403),
        ("dan", "alain", 401),
        (None, "alain", 401),
    ]
    for who, target, expected in asks:
        answer = _post(api, world, who, LINK.format(target), {})
        assert answer.status_code == expected, (who, target, answer.text)
    refused = _entries(world, "admin.refused")
    assert [(e.username, e.detail["action"]) for e in refused] == [
        (who, "admin.user-link") for who in ("fred", "alice", "alice", "audrey")
    ]
    assert _entries(world, "admin.user-link") == []
