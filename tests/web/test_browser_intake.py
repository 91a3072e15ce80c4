"""Intake review in a real Chromium against a real ``passerelle serve``: a French article
pasted, read into a draft (the node loads the French model on the first article), its
source text marked, its elements accepted, one corrected and some rejected, an entity
added, published into a channel; a member of the channel then reads the report and the
corrected name.

On SQLite only, like tests/web/test_browser.py: what the pages read and write is tested
on both backends in-process (test_intake_pages). Screenshots of the review page in French
and English are saved as test_browser.py saves its own."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

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

# Written for this test (not taken from any publication): a person (two), an
# organisation, places, a date and a quotation with its speaker.
ARTICLE = (
    "Lyon : des explosifs saisis dans un entrepôt\n\n"
    "La Direction générale de la sécurité intérieure (DGSI) a perquisitionné mardi 4 février "
    "un entrepôt de Villeurbanne, près de Lyon, où ses agents ont saisi plusieurs kilogrammes "
    "d'explosifs. Un homme de 31 ans, Mehdi Laroui, a été placé en garde à vue.\n\n"
    "Selon les enquêteurs, le suspect échangeait avec des membres de l'État islamique "
    "sur Telegram depuis plusieurs mois.\n\n"
    "« Cette saisie a sans doute évité un drame », a déclaré le procureur de la République, "
    "Jean-Marc Delaunay. L'enquête a été confiée au Parquet national antiterroriste.\n"
)
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
# The first article loads the French language model in the node: allow for it.
READING_MS = 180_000


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database (this module's tests run on one backend)."""
    return sqlite_copy(tmp_path, sqlite_template)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    with headless_chromium() as browser:
        yield browser


def _element(page: Page, summary: str) -> Locator:
    """The element of the review whose summary is exactly this."""
    wanted = page.locator(".summary", has_text=re.compile(f"^{re.escape(summary)}$"))
    return page.locator("li.element", has=wanted)


def _settled(page: Page) -> None:
    """Wait until htmx has swapped and settled the last change (its classes are gone): a
    click on a button of content htmx has not yet processed would post without it."""
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


def _decide(page: Page, summary: str, button: str, state: str) -> None:
    _settled(page)
    element = _element(page, summary)
    element.get_by_role("button", name=button).click()
    expect(_element(page, summary).locator(".state")).to_have_text(state)


def _shoot_review(page: Page, tmp_path: Path, name: str) -> None:
    """Save a screenshot of the text and its elements side by side (below the draft's facts)."""
    page.evaluate("window.scrollTo(0, document.querySelector('.intake-review').offsetTop - 8)")
    _shoot(page, tmp_path, name)


def _paste(page: Page, failures: dict[str, Any]) -> None:
    page.get_by_role("link", name="Lire un article").first.click()
    axe_failures(page, "intake-fr", failures)
    page.get_by_label(f"Texte de l{APOSTROPHE}article").fill(ARTICLE)
    page.get_by_label("Canal de publication").select_option("fr-ru")
    page.get_by_label("TLP du brouillon").select_option("amber")
    page.get_by_label("Date de publication (facultative)").fill("2025-02-05")
    page.get_by_role("button", name=f"Lire l{APOSTROPHE}article").click(timeout=READING_MS)
    expect(page.get_by_role("heading", name="Texte source")).to_be_visible(timeout=READING_MS)


def _review_in_french(page: Page) -> None:
    # Decisions update the page in place (htmx): no reload, the focus kept on the button.
    page.evaluate("window.notReloaded = true")
    # Published too early: refused, the reason shown in place.
    page.get_by_role("button", name="Publier dans fr-ru").click()
    expect(page.get_by_role("alert")).to_contain_text("still pending")
    _decide(
        page, "organization Direction générale de la sécurité intérieure", "Accepter", "accepté"
    )
    assert page.evaluate("document.activeElement.id").startswith("accept-")
    assert page.evaluate("window.notReloaded === true")
    for summary in (
        "organization Direction générale de la sécurité intérieure",
        "location Villeurbanne",
        "group État islamique",
        "platform Telegram",
        "person Jean-Marc Delaunay",
        "organization Parquet national antiterroriste",
        "Jean-Marc Delaunay: Cette saisie a sans doute évité un drame",
    ):
        _decide(page, summary, "Accepter", "accepté")
    _decide(page, "location Lyon", "Rejeter", "rejeté")
    # The date, read against the publication date, is an element like the others.
    when = _element(page, "mardi 4 février = 2025-02-04")
    when.get_by_text("Corriger").click()
    when.get_by_label(re.compile("^La date")).fill("2025-02")
    when.get_by_role("button", name="Enregistrer la correction").click()
    expect(_element(page, "mardi 4 février = 2025-02").locator(".state")).to_have_text("corrigé")
    suspect = _element(page, "person Mehdi Laroui")
    suspect.get_by_text("Corriger").click()
    suspect.get_by_label(re.compile("^Nom")).fill("Mehdi L.")
    suspect.get_by_label(re.compile("^Pourquoi")).fill("anonymisé")
    suspect.get_by_role("button", name="Enregistrer la correction").click()
    expect(_element(page, "person Mehdi L.").locator(".state")).to_have_text("corrigé")
    # Every fact is an element too: those not wanted are rejected.
    pending = page.locator('li.element[data-kind="fact"][data-state="pending"]')
    for left in reversed(range(pending.count())):
        _settled(page)
        pending.first.get_by_role("button", name="Rejeter").click()
        expect(pending).to_have_count(left)
    # What intake missed is added, and counts as reviewed.
    _settled(page)
    page.locator("details.add-entity").get_by_text("Ajouter une entité").click()
    page.locator("#add-name").fill("entrepôt de Villeurbanne")
    page.locator("#add-label").select_option("location")
    page.get_by_role("button", name=f"Ajouter l{APOSTROPHE}entité").click()
    added = _element(page, "location entrepôt de Villeurbanne")
    expect(added.locator(".state")).to_have_text("corrigé")


def test_intake_review_of_a_french_article_from_paste_to_publish(
    world: World, database_url: str, tmp_path: Path, chromium: Browser
) -> None:
    set_passwords(world.database, "alice", "boris")
    with LiveServer(database_url, tmp_path) as server:
        analyst = _context(chromium, server, "fr-FR").new_page()
        partner = _context(chromium, server, "en-GB").new_page()
        errors: list[str] = []
        _log_errors(analyst, errors)
        _log_errors(partner, errors)

        _sign_in(analyst, "alice", "Se connecter")
        # axe-core on the paste form, the drafts and a draft, in both languages.
        failures: dict[str, Any] = {}
        _paste(analyst, failures)
        article = analyst.locator(".article")
        expect(article.locator("mark.hl-entity", has_text="Mehdi Laroui")).to_be_visible()
        expect(article.locator("mark.hl-date")).to_contain_text("mardi 4 février")
        quotation = article.locator("mark.hl-quotation")
        expect(quotation).to_contain_text("Cette saisie a sans doute évité un drame")
        expect(quotation.locator("a.marker").first).to_have_text(re.compile(r"^C\d+ \(citation"))
        expect(analyst.locator(".draft-facts .tlp")).to_have_text("TLP:AMBER")
        _shoot_review(analyst, tmp_path, "intake-review-fr")
        axe_failures(analyst, "draft-fr", failures)
        draft_path = analyst.url
        analyst.goto("/intake/drafts")
        expect(analyst.locator("[data-draft]")).to_have_count(1)
        axe_failures(analyst, "drafts-fr", failures)
        analyst.goto(draft_path)

        _review_in_french(analyst)
        rejected = article.locator("mark.hl-entity.is-rejected", has_text="Lyon")
        expect(rejected).to_have_count(2)  # the title and the text name Lyon
        analyst.get_by_role("link", name="English").click()
        expect(analyst.get_by_role("heading", name="Source text")).to_be_visible()
        _shoot_review(analyst, tmp_path, "intake-review-en")
        axe_failures(analyst, "draft-en", failures)
        for name, path in (("drafts-en", "/intake/drafts"), ("intake-en", "/intake")):
            analyst.goto(path)
            axe_failures(analyst, name, failures)
        analyst.goto(draft_path)
        analyst.get_by_role("button", name="Publish in fr-ru").click()
        expect(analyst.locator(".draft-state")).to_have_text("published")
        report_path = analyst.locator("[data-report]").get_attribute("href")
        assert (report_path or "").startswith("/objects/report--")
        assert report_path

        _sign_in(partner, "boris", "Sign in")
        partner.goto(report_path)
        expect(partner.get_by_role("heading", level=1)).to_contain_text("Lyon : des explosifs")
        expect(partner.locator(".handling .tlp")).to_have_text("TLP:AMBER")
        names = []
        for link in partner.locator("a[href^='/objects/identity--']").all():
            names.append(partner.request.get(str(link.get_attribute("href"))).text())
        seen = " ".join(names)
        assert "Mehdi L." in seen
        assert "Mehdi Laroui" not in seen
        # The early publication's refusal, which the browser logs (an answer of 409).
        refused = [e for e in errors if "status of 409" in e]
        assert (len(refused), [e for e in errors if e not in refused]) == (1, [])
    print(json.dumps(failures, indent=1, ensure_ascii=False))
    assert failures == {}
