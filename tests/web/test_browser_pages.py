"""Every main page in a real Chromium, in French and in English: checked by axe-core for
accessibility (no serious or critical violation), and photographed for the README.

axe-core is vendored in ``tests/web/axe`` (MPL-2.0, its licence beside it), not in the
package: only these tests inject it, a node never serves it, and a wheel has no reason to
carry 650 kB of test tooling. Playwright injects it as an inline script, which the pages'
Content-Security-Policy would refuse: these contexts bypass the policy (test_browser.py
checks that the policy refuses nothing the pages themselves load).

On SQLite only, like the other browser tests."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from passerelle.core.context import Context
from passerelle.exchange import rfis, tips, watches
from passerelle.policy import directory
from passerelle.policy.roles import Role
from tests.exchange_support import cell_report, store
from tests.live_server import LiveServer
from tests.web.support import set_passwords
from tests.web.test_browser import (
    VIEWPORT,
    _shoot,
    _sign_in,
    headless_chromium,
    patience,
    sqlite_copy,
)
from tests.web.test_browser_entities import _world as entity_world
from tests.world import World

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# What fails the test: axe's two highest impacts (it also reports moderate and minor).
BLOCKING = ("serious", "critical")
SIGN_IN = {"fr": "Se connecter", "en": "Sign in"}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


@dataclass(frozen=True)
class Made:
    """What the pages show: a tip, an RFI, a report and an identity with its entity."""

    tip: str
    rfi: str
    report: str
    known: str


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database (this module's tests run on one backend)."""
    return sqlite_copy(tmp_path, sqlite_template)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    with headless_chromium() as browser:
        yield browser


def _fill(world: World) -> Made:
    """Give every main page something to show."""
    known = entity_world(world)["known"]
    report = cell_report()
    store(world, "alice", "fr-ru", report)
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    set_passwords(world.database, "alice", "audrey")
    alice = Context(world.database, world.viewer("alice"), world.keys, world.hooks)
    tip = tips.share(
        alice,
        tips.ShareRequest(
            object_id=report[-1]["id"], channel="fr-ru", action_requested="Find the cell"
        ),
    )
    asked = rfis.send_rfi(
        alice, rfis.SendRfi(to="fsb", purpose="Who runs the cell?", urgency="urgent")
    )
    watches.add_watch(alice, watches.AddWatch(name="Boris Kalmykov"))
    return Made(tip.id, asked.id, report[-1]["id"], known["id"])


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_failures(page: Page, name: str, failures: dict[str, Any]) -> None:
    """Run axe-core on the page; record its serious and critical violations under a name."""
    found = _axe(page)
    if found:
        failures[name] = found


def _axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its serious and critical violations (axe is
    loaded through the browser's devtools protocol, which the page's Content-Security-
    Policy does not govern: it runs on pages served with their policy in force)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def _pages(made: Made, entity: str) -> list[tuple[str, str]]:
    return [
        ("inbox", "/"),
        ("tip", f"/tips/{made.tip}"),
        ("search", "/search?q=cell"),
        ("object", f"/objects/{made.report}"),
        ("rfis", "/rfis"),
        ("rfi", f"/rfis/{made.rfi}"),
        ("watches", "/watches"),
        ("entity", f"/entities/{entity}"),
        ("review", "/entities/review"),
        ("graph", f"/graph?object={made.known}"),
    ]


def _visit(page: Page, name: str, path: str) -> None:
    page.goto(path)
    if name == "graph":
        expect(page.locator("#graph[data-ready=true]")).to_be_attached()
        expect(page.get_by_role("status")).to_contain_text("3")


def _check(page: Page, name: str, language: str, tmp_path: Path, failures: dict[str, Any]) -> None:
    found = _axe(page)
    if found:
        failures[f"{name}-{language}"] = found
    _shoot(page, tmp_path, f"{name}-{language}")


def _entity_of(page: Page, known: str) -> str:
    page.goto(f"/objects/{known}")
    href = page.locator(".entities a").first.get_attribute("href")
    assert href
    return href.removeprefix("/entities/")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_main_page_passes_axe_and_is_photographed(
    world: World, database_url: str, tmp_path: Path, chromium: Browser, language: str
) -> None:
    made = _fill(world)
    failures: dict[str, Any] = {}
    with LiveServer(database_url, tmp_path) as server:
        context = chromium.new_context(
            base_url=server.base_url,
            locale=LOCALES[language],
            viewport=VIEWPORT,
            timezone_id="Europe/Paris",
            bypass_csp=True,
        )
        context.set_default_timeout(patience)
        page = context.new_page()
        page.goto("/")
        _check(page, "signin", language, tmp_path, failures)
        _sign_in(page, "alice", SIGN_IN[language])
        expect(page.locator("table.received, table.sent").first).to_be_attached()
        entity = _entity_of(page, made.known)
        for name, path in _pages(made, entity):
            _visit(page, name, path)
            _check(page, name, language, tmp_path, failures)
        page.locator("form[action='/signout'] button").click()
        _sign_in(page, "audrey", SIGN_IN[language])
        page.goto("/audit")
        _check(page, "audit", language, tmp_path, failures)
    print(json.dumps(failures, indent=1, ensure_ascii=False))
    assert failures == {}


def test_axe_finds_what_it_should_and_the_keyboard_reaches_everything(
    world: World, database_url: str, tmp_path: Path, chromium: Browser
) -> None:
    assert "Mozilla Public License" in (AXE.parent / "axe.LICENSE").read_text()
    known = entity_world(world)["known"]
    with LiveServer(database_url, tmp_path) as server:
        context = chromium.new_context(
            base_url=server.base_url, locale="en-GB", viewport=VIEWPORT, bypass_csp=True
        )
        context.set_default_timeout(patience)
        page = context.new_page()
        # The check is real: a field without a label and grey on grey are found.
        page.goto("/")
        page.evaluate(
            """() => document.querySelector("main").insertAdjacentHTML("beforeend",
                 '<input id="bare"><p style="color:#aaa;background:#bbb">faint</p>')"""
        )
        assert {"label", "color-contrast"} <= {v["id"] for v in _axe(page)}
        _sign_in(page, "alice", "Sign in")
        # The first Tab shows the skip link (sign-in's focus starts in its first field).
        expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        assert (skip.bounding_box() or {"x": -1.0})["x"] >= 0
        assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        # The graph's controls from the keyboard alone: choose a node, show its neighbours.
        page.goto(f"/graph?object={known['id']}")
        expect(page.get_by_role("status")).to_contain_text("3 nodes")
        page.get_by_label("Node").focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Show or hide its neighbours")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).not_to_contain_text("3 nodes")
