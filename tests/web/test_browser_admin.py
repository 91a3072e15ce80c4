"""The partners page and the administration in a real Chromium against a real
``passerelle serve``: the reciprocity charts drawn by the vendored Chart.js under the
Content-Security-Policy (a canvas painted, no console error, no violation), and a user
disabled from the administration page, in English and in French.

On SQLite only, like tests/web/test_browser.py: what the pages read and write is tested
on both backends in-process (test_partners_page, test_admin_pages, the access matrix)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from passerelle.policy import directory
from passerelle.policy.roles import Role
from tests.exchange.test_partners import _exchange
from tests.exchange_support import ContextFor, FakeClock
from tests.live_server import LiveServer
from tests.web.support import set_passwords
from tests.web.test_browser import (
    _context,
    _log_errors,
    _shoot,
    _sign_in,
    headless_chromium,
    sqlite_copy,
)
from tests.web.test_browser_pages import axe_failures
from tests.world import World

# Counts the page's Content-Security-Policy violations (an init script runs before the
# page's own and is not subject to its policy).
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
# Whether a canvas has any painted pixel.
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { return true; } }
  return false;
}"""
CHARTS = ("chart-ack", "chart-outcomes", "chart-rfis", "chart-overdue")


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database (this module's tests run on one backend)."""
    return sqlite_copy(tmp_path, sqlite_template)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    with headless_chromium() as browser:
        yield browser


def _charts_drawn(page: Page) -> None:
    expect(page.locator("#partner-charts")).to_have_attribute("data-drawn", "true")
    for chart in CHARTS:
        assert page.evaluate(PAINTED, chart), f"{chart} is blank"


def test_partner_charts_and_administration_in_the_browser(
    world: World,
    database_url: str,
    tmp_path: Path,
    chromium: Browser,
    ctx: ContextFor,
    clock: FakeClock,
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "adam", Role.ADMIN)
    set_passwords(world.database, "adam")
    _exchange(world, ctx, clock)
    with LiveServer(database_url, tmp_path) as server:
        context = _context(chromium, server, "en-GB")
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []
        _log_errors(page, errors)
        failures: dict[str, Any] = {}  # axe-core's serious and critical violations
        _sign_in(page, "adam", "Sign in")
        page.get_by_role("link", name="Partners").click()
        expect(page.get_by_role("heading", name="Partners")).to_be_visible()
        _charts_drawn(page)
        expect(page.locator("table.partners")).to_contain_text("fsb")
        _shoot(page, tmp_path, "partners-en")
        axe_failures(page, "partners-en", failures)

        page.get_by_role("link", name="Administration").click()
        row = page.locator('tr[data-user="alain"]')
        row.get_by_role("button", name="Disable: alain").click()
        expect(row).to_contain_text("disabled")
        _shoot(page, tmp_path, "admin-en")
        axe_failures(page, "admin-en", failures)

        page.get_by_role("link", name="Français").click()
        expect(page.get_by_role("heading", name="Administration de dgsi")).to_be_visible()
        _shoot(page, tmp_path, "admin-fr")
        axe_failures(page, "admin-fr", failures)
        page.get_by_role("link", name="Partenaires").click()
        _charts_drawn(page)
        _shoot(page, tmp_path, "partners-fr")
        axe_failures(page, "partners-fr", failures)
        assert page.evaluate("window.cspViolations") == []
        assert errors == []
    print(json.dumps(failures, indent=1, ensure_ascii=False))
    assert failures == {}
