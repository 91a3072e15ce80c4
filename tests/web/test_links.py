"""One-time sign-in links: printed by ``passerelle user link``, good for one sign-in before
they expire, spent only by the form (opening the page spends nothing)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.durations import MINUTE
from passerelle.store.schema import web_links
from passerelle.web.links import issue_link
from tests.cli_runner import Run
from tests.exchange_support import FakeClock
from tests.web.support import csrf_of
from tests.world import World


def _issue(world: World, clock: FakeClock, username: str = "alain") -> str:
    with world.database.write() as conn:
        return issue_link(conn, username, clock(), 15 * MINUTE)


def _follow(client: TestClient, token: str, purpose: str = "urgent tip") -> int:
    page = client.get(f"/signin/link/{token}")
    answer = client.post(
        f"/signin/link/{token}",
        data={"csrf": csrf_of(page.text), "purpose": purpose},
        follow_redirects=False,
    )
    return answer.status_code


def test_a_link_signs_in_once(
    browser: TestClient, other_browser: TestClient, world: World, clock: FakeClock
) -> None:
    token = _issue(world, clock)
    # Opening the page (a link previewer does) spends nothing.
    assert browser.get(f"/signin/link/{token}").status_code == 200
    assert _follow(browser, token) == 303
    assert "alain · dgsi" in browser.get("/").text
    assert _follow(other_browser, token) == 401
    with world.database.read() as conn:
        entries = audit.entries(conn, username="alain")
        assert conn.execute(web_links.select()).all() == []
    assert [(e.action, e.purpose, e.detail["via"]) for e in entries] == [
        ("web-signin", "urgent tip", "link")
    ]


def test_an_expired_or_unknown_link_signs_nobody_in(
    browser: TestClient, world: World, clock: FakeClock
) -> None:
    token = _issue(world, clock)
    clock.advance(16 * MINUTE)
    assert _follow(browser, token) == 401
    assert _follow(browser, "made-up") == 401
    assert browser.get("/", follow_redirects=False).status_code == 303
    with world.database.read() as conn:
        assert "login-failed" in [e.action for e in audit.entries(conn)]


def test_a_link_needs_the_purpose_and_a_form_from_this_site(
    browser: TestClient, world: World, clock: FakeClock
) -> None:
    token = _issue(world, clock)
    assert _follow(browser, token, purpose=" ") == 400
    browser.get(f"/signin/link/{token}")
    forged = browser.post(
        f"/signin/link/{token}", data={"csrf": "forged", "purpose": "x"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert _follow(browser, token) == 303  # neither refusal spent it


def test_user_link_prints_the_link(run: Run, world: World) -> None:
    made = run("user", "link", "alice")
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("http://127.0.0.1:8000/signin/link/")
    too_long = run("user", "link", "alice", "--valid", "2d")
    assert too_long.exit_code != 0
    assert "24h at most" in too_long.output
    assert run("user", "link", "nobody").exit_code != 0
    with world.database.read() as conn:
        assert len(conn.execute(web_links.select()).all()) == 1
