"""Signing in and out of the web interface: passwords, sessions, their cookies, the CSRF
token of every form, the idle timeout, failed sign-ins limited and audited."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.durations import MINUTE
from passerelle.policy.passwords import set_password
from passerelle.settings import Settings
from passerelle.store.schema import web_sessions
from tests.exchange_support import FakeClock
from tests.web.conftest import IDLE
from tests.web.support import PASSWORD, csrf_of, sign_in
from tests.world import World


def test_pages_ask_to_sign_in_first(browser: TestClient) -> None:
    answer = browser.get("/tips/tip--0000", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/tips/tip--0000"
    assert browser.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_sign_in_opens_a_session_in_a_strict_cookie_recording_the_purpose(
    browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice", purpose="case 2026/17") == 303
    page = browser.get("/")
    assert page.status_code == 200
    assert "alice · dgsi" in page.text
    with world.database.read() as conn:
        stored = conn.execute(web_sessions.select()).all()
        entries = audit.entries(conn, username="alice")
    assert len(stored) == 1
    # Only the hash of the session id is kept.
    assert stored[0].id_hash != browser.cookies.get("passerelle_session")
    assert [(e.action, e.purpose) for e in entries] == [("web-signin", "case 2026/17")]


def test_session_cookie_is_httponly_strict_and_secure(browser: TestClient) -> None:
    token = csrf_of(browser.get("/signin").text)
    answer = browser.post(
        "/signin",
        data={"csrf": token, "username": "alice", "password": PASSWORD, "purpose": "triage"},
        follow_redirects=False,
    )
    session = next(c for c in answer.headers.get_list("set-cookie") if "passerelle_session=" in c)
    flags = {part.strip().lower() for part in session.split(";")}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags


def test_wrong_passwords_and_unknown_users_answer_alike_and_are_audited(
    browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice", "not the password") == 401
    assert sign_in(browser, "nobody", "not the password") == 401
    wrong = browser.get("/")
    assert wrong.status_code == 200
    assert "Sign in" in wrong.text
    assert "passerelle_session" not in browser.cookies
    with world.database.read() as conn:
        actions = [e.action for e in audit.entries(conn)]
    assert "login-failed" in actions


def test_a_source_that_fails_too_often_is_refused_even_with_the_right_password(
    browser: TestClient,
) -> None:
    for _ in range(3):
        assert sign_in(browser, "alice", "guess guess guess") == 401
    assert sign_in(browser, "alice") == 429


def test_a_user_without_a_password_cannot_sign_in(browser: TestClient, world: World) -> None:
    # alain has an API token but no web password.
    assert sign_in(browser, "alain", PASSWORD) == 401
    assert world.tokens["alain"]


def test_the_purpose_is_required(browser: TestClient) -> None:
    assert sign_in(browser, "alice", purpose="  ") == 400


def test_a_sign_in_form_from_elsewhere_is_refused(browser: TestClient) -> None:
    # Without the double-submit cookie that the form page sets, the token proves nothing.
    token = csrf_of(browser.get("/signin").text)
    browser.cookies.clear()
    answer = browser.post(
        "/signin",
        data={"csrf": token, "username": "alice", "password": PASSWORD, "purpose": "x"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "passerelle_session" not in answer.headers.get("set-cookie", "")


def test_sign_out_ends_the_session_on_the_server(browser: TestClient, world: World) -> None:
    assert sign_in(browser, "alice") == 303
    session_id = browser.cookies["passerelle_session"]
    token = csrf_of(browser.get("/").text)
    assert browser.post("/signout", data={"csrf": token}, follow_redirects=False).status_code == 303
    with world.database.read() as conn:
        assert conn.execute(web_sessions.select()).all() == []
    # The old cookie, replayed, opens nothing.
    browser.cookies.set("passerelle_session", session_id)
    assert browser.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_sign_out_needs_the_csrf_token(browser: TestClient, world: World) -> None:
    assert sign_in(browser, "alice") == 303
    assert browser.post("/signout", data={"csrf": "forged"}).status_code == 403
    assert browser.get("/").status_code == 200


def test_an_idle_session_expires(browser: TestClient, clock: FakeClock, world: World) -> None:
    assert sign_in(browser, "alice") == 303
    clock.advance(IDLE - MINUTE)
    assert browser.get("/").status_code == 200  # use keeps it alive...
    clock.advance(IDLE - MINUTE)
    assert browser.get("/").status_code == 200
    clock.advance(IDLE + MINUTE)  # ...idleness ends it
    answer = browser.get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"
    with world.database.read() as conn:
        assert conn.execute(web_sessions.select()).all() == []


def test_sign_in_goes_back_only_to_a_page_of_this_node(browser: TestClient) -> None:
    for target, expected in (("/tips/x", "/tips/x"), ("//evil.example", "/"), ("https://e.x", "/")):
        page = browser.get("/signin", params={"next": target})
        answer = browser.post(
            "/signin",
            data={
                "csrf": csrf_of(page.text),
                "username": "alice",
                "password": PASSWORD,
                "purpose": "triage",
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == expected


def test_pages_carry_a_strict_content_security_policy(
    browser: TestClient, web_app: FastAPI
) -> None:
    assert sign_in(browser, "alice") == 303
    page = browser.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"
    script = browser.get("/static/vendor/htmx.min.js")
    assert script.status_code == 200
    assert "htmx" in script.text


def test_a_form_holding_a_nul_character_is_refused(browser: TestClient) -> None:
    token = csrf_of(browser.get("/signin").text)
    answer = browser.post(
        "/signin",
        data={"csrf": token, "username": "ali\x00ce", "password": PASSWORD, "purpose": "x"},
        follow_redirects=False,
    )
    assert answer.status_code == 400


def test_the_counters_refreshing_by_themselves_do_not_keep_a_session_alive(
    browser: TestClient, clock: FakeClock
) -> None:
    assert sign_in(browser, "alice") == 303
    for _ in range(3):
        clock.advance(IDLE // 2)
        fragment = browser.get("/fragments/counters", headers={"HX-Request": "true"})
        if fragment.headers.get("hx-redirect"):
            break
        assert 'id="counters"' in fragment.text
    # The session ended at its idle timeout; htmx is told to take the whole page away.
    assert fragment.status_code == 200
    assert fragment.headers["hx-redirect"] == "/signin"
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_a_new_password_ends_the_users_sessions(browser: TestClient, world: World) -> None:
    assert sign_in(browser, "alice") == 303
    with world.database.write() as conn:
        set_password(conn, "alice", "another long password")
    assert browser.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_a_busy_session_still_ends_at_its_lifetime(browser: TestClient, clock: FakeClock) -> None:
    assert sign_in(browser, "alice") == 303
    for _ in range(28):
        clock.advance(25 * MINUTE)  # used every 25 minutes, never idle for 30
        # (a page that answers 404 to the signed-in, and sends others to sign in)
        assert browser.get("/tips/tip--none", follow_redirects=False).status_code == 404
    clock.advance(21 * MINUTE)  # 12 hours and 1 minute after signing in
    assert browser.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_the_session_limits_are_settings_workers_inherit() -> None:
    env = {"PASSERELLE_WEB_IDLE_TIMEOUT": "5m", "PASSERELLE_WEB_SESSION_LIFETIME": "8h"}
    settings = Settings.from_env(env=env)
    assert (settings.web.idle_timeout, settings.web.lifetime) == (5 * MINUTE, 8 * 60 * MINUTE)
    assert Settings.from_env(env=settings.worker_environment()).web == settings.web
    default = Settings.from_env(env={}).web
    assert (default.idle_timeout, default.lifetime) == (IDLE, 12 * 60 * MINUTE)
