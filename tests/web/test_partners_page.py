"""The partners page shows the figures ``passerelle partners`` computes for its viewer,
in its table and in the data its charts are drawn from, and nothing else."""

from __future__ import annotations

import html
import json
import re

from fastapi import FastAPI

from passerelle.exchange import tips
from passerelle.exchange.partners import Partner, partner_figures
from tests.exchange.test_partners import _exchange
from tests.exchange_support import ContextFor, FakeClock
from tests.web.support import session_client
from tests.world import World

ROW = re.compile(r"<tr (data-partner=[^>]*)>")
ATTRIBUTE = re.compile(r"data-([\w-]+)=(?:\"([^\"]*)\"|'([^']*)')")


def shown_rows(page: str) -> dict[tuple[str, str], dict[str, str]]:
    """The figures the page's table rows carry, by partner and direction."""
    rows = {}
    for row in ROW.findall(page):
        found = {name: html.unescape(a or b) for name, a, b in ATTRIBUTE.findall(row)}
        rows[(found["partner"], found["direction"])] = found
    return rows


def computed_rows(found: list[Partner]) -> dict[tuple[str, str], dict[str, str]]:
    """The same figures as the operation returns them."""
    rows = {}
    for partner in found:
        for figures in (partner.to_them, partner.from_them):
            seconds = figures.median_to_acknowledge_seconds
            rows[(partner.partner, figures.direction)] = {
                "partner": partner.partner,
                "direction": figures.direction,
                "tips": str(figures.tips),
                "ack-seconds": "" if seconds is None else str(seconds),
                "overdue": str(figures.overdue),
                "rfis-asked": str(figures.rfis_asked),
                "rfis-answered": str(figures.rfis_answered),
                "rfis-refused": str(figures.rfis_refused),
                "rfis-overdue": str(figures.rfis_overdue),
                "outcomes": json.dumps(figures.outcomes),
            }
    return rows


def test_the_page_shows_the_figures_partners_computes(
    web_app: FastAPI, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    _exchange(world, ctx, clock)
    for username in ("alice", "boris", "carla", "oscar"):
        with session_client(web_app, world.database, username) as client:
            page = client.get("/partners")
        assert page.status_code == 200
        expected = computed_rows(partner_figures(ctx(username), tips.NoRequest()))
        assert shown_rows(page.text) == expected, username
        assert 'src="/static/vendor/chart.umd.min.js"' in page.text
        assert "<script>" not in page.text
    # The figures themselves, read on the page: dgsi's two tips to fsb, one actioned.
    with session_client(web_app, world.database, "alice") as client:
        rows = shown_rows(client.get("/partners").text)
    assert rows[("fsb", "to")]["tips"] == "2"
    assert json.loads(rows[("fsb", "to")]["outcomes"]) == {"actioned": 1}
    assert rows[("fsb", "to")]["ack-seconds"] == str(2 * 3600)


def test_a_third_organisation_reads_nothing_of_the_exchange(
    web_app: FastAPI, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    _exchange(world, ctx, clock)
    with session_client(web_app, world.database, "carla") as client:
        page = client.get("/partners").text
    assert "fsb" not in page
    assert all(row["tips"] == "0" for row in shown_rows(page).values())
    assert "actioned 1" not in page
