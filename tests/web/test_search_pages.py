"""The search page and the object page in-process: words and filters, paging by cursor,
an observable looked up, an object's versions and correlations, H3 content never
searched before its acknowledgement, and bad filters refused in one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import update

from passerelle.audit import log as audit
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.timestamps import to_micros
from passerelle.store.schema import channel_objects
from tests.exchange_support import cell_report, store
from tests.stixgen import identity, indicator
from tests.web.support import rendered, sign_in
from tests.web.test_pages import _Controls
from tests.world import World

T1 = "2026-03-01T00:00:00.000Z"


def _ids(client: TestClient, **params: str) -> list[str]:
    answer = client.get("/search", params=params)
    assert answer.status_code == 200, answer.text
    return rendered(answer.text.split('id="results-title"', 1)[1], "object")


def test_search_finds_words_filters_and_pages(browser: TestClient, world: World) -> None:
    group, leader, report = cell_report()
    store(world, "alice", "fr-ru", [group, leader, report])
    assert sign_in(browser, "alice") == 303
    assert _ids(browser, q="seven-person") == [group["id"]]
    # Words are found in descriptions too, in any case, all of them.
    assert report["id"] in _ids(browser, q="BOMBINGS religious")
    assert _ids(browser, q="bombings nowhere-said") == []
    assert set(_ids(browser, type="identity")) == {leader["id"]}
    assert _ids(browser, q="cell", producer="fsb") == []
    assert _ids(browser, q="cell", tlp="TLP:RED") == []
    assert set(_ids(browser, q="cell", tlp="TLP:AMBER", channel="fr-ru")) >= {group["id"]}
    assert _ids(browser, q="cell", until="2000-01-01") == []
    # Paged by cursor: every object once, in pages of one.
    seen, link = [], "/search?type=&q=&producer=dgsi&size=1"
    while link:
        html = browser.get(link).text
        seen += rendered(html.split('id="results-title"', 1)[1], "object")
        found = html.split('rel="next" href="', 1)
        link = found[1].split('"', 1)[0].replace("&amp;", "&") if len(found) > 1 else ""
    assert sorted(seen) == sorted(o["id"] for o in (group, leader, report))


def test_bad_filters_are_refused_in_one_line(browser: TestClient) -> None:
    assert sign_in(browser, "alice") == 303
    for params in ({"tlp": "purple"}, {"since": "yesterday"}, {"q": "x", "next": "garbage"}):
        answer = browser.get("/search", params=params)
        assert answer.status_code == 400
        assert 'role="alert"' in answer.text


def test_object_page_shows_versions_and_what_correlates(browser: TestClient, world: World) -> None:
    first = indicator(7, name="Relay box")
    second = indicator(7, modified=T1, ident=first["id"], name="Relay box, renamed")
    twin = indicator(7, name="Same address elsewhere")
    store(world, "alice", "fr-ru", [first, second, twin])
    assert sign_in(browser, "alice") == 303
    page = browser.get(f"/objects/{first['id']}")
    assert page.status_code == 200
    assert "Relay box, renamed" in page.text
    assert len(rendered(page.text, "version")) == 2
    assert rendered(page.text, "correlated") == [twin["id"]]
    # The same address typed in the search box is looked up as an observable.
    looked_up = browser.get("/search", params={"q": "10.0.0.7"}).text
    assert set(rendered(looked_up, "found")) == {first["id"], twin["id"]}
    assert (
        browser.get("/objects/indicator--00000000-0000-4000-8000-000000000000").status_code == 404
    )


def test_h3_words_are_not_searched_before_acknowledgement(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    secret = identity(
        "Informant Vasily",
        object_marking_refs=[TLP2_IDS[Tlp.AMBER]],
        extensions={
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "handling_codes": ["H3"],
                "h3_text": "Call the desk first",
            }
        },
    )
    store(world, "alice", "fr-ru", [secret])
    assert sign_in(other_browser, "boris") == 303
    assert _ids(other_browser, q="vasily") == []
    listed = other_browser.get("/search", params={"type": "identity"}).text
    assert secret["id"] in listed
    assert "Vasily" not in listed
    gated = other_browser.get(f"/objects/{secret['id']}").text
    assert "Vasily" not in gated
    assert "Call the desk first" in gated


def test_search_and_object_pages_are_labelled_and_run_no_inline_code(
    browser: TestClient, world: World
) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    for path in ("/search?q=cell", f"/objects/{items[0]['id']}"):
        html = browser.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\s(style|on\w+)=", html), path
        parsed = _Controls()
        parsed.feed(html)
        assert [c for c in parsed.controls if c not in parsed.labelled] == [], path


def test_dates_are_shown_in_the_browsers_time_zone(browser: TestClient, world: World) -> None:
    first = indicator(8, name="Zoned")
    store(world, "alice", "fr-ru", [first])
    assert sign_in(browser, "alice") == 303
    path = f"/objects/{first['id']}"
    # T0 is 2026-01-01T00:00Z: one in the morning in Paris, the evening before in
    # New York; an unknown zone is UTC.
    assert "1 Jan 2026 00:00 UTC" in browser.get(path).text
    browser.cookies.set("passerelle_tz", "Europe%2FParis")
    assert "1 Jan 2026 01:00 CET" in browser.get(path).text
    browser.cookies.set("passerelle_tz", "America/New_York")
    assert "31 Dec 2025 19:00 EST" in browser.get(path).text
    browser.cookies.set("passerelle_tz", "Mars/Olympus_Mons")
    assert "1 Jan 2026 00:00 UTC" in browser.get(path).text
    assert '<script src="/static/zone.js" defer>' in browser.get(path).text
    assert "passerelle_tz" in browser.get("/static/zone.js").text


def test_a_search_is_a_read_in_the_log_with_its_purpose(browser: TestClient, world: World) -> None:
    """Issue 16: every read (resolve, entity, search) is audited with its purpose."""
    group, leader, report = cell_report()
    store(world, "alice", "fr-ru", [group, leader, report])
    assert sign_in(browser, "alice", purpose="case 2026-17") == 303
    assert _ids(browser, q="seven-person") == [group["id"]]
    assert _ids(browser, q="nothing-like-this") == []
    with world.database.read() as conn:
        searches = [e for e in audit.entries(conn) if e.action == "search"]
    assert [(e.username, e.purpose, e.detail["q"]) for e in searches] == [
        ("alice", "case 2026-17", "seven-person"),
        ("alice", "case 2026-17", "nothing-like-this"),
    ]
    assert searches[0].object_ids == (group["id"],)
    assert searches[1].object_ids == ()


def test_the_since_and_until_dates_filter_by_the_day_an_object_was_stored(
    browser: TestClient, world: World
) -> None:
    older, newer = identity("Stored in March"), identity("Stored in May")
    store(world, "alice", "fr-ru", [older])
    store(world, "alice", "fr-ru", [newer])
    # The node dates a placement when it stores it; these two are put back to the days
    # they would have been stored on (in the same order).
    days = {
        older["id"]: datetime(2026, 3, 10, 12, tzinfo=UTC),
        newer["id"]: datetime(2026, 5, 20, 8, tzinfo=UTC),
    }
    with world.database.write() as conn:
        for stix_id, day in days.items():
            conn.execute(
                update(channel_objects)
                .where(channel_objects.c.stix_id == stix_id)
                .values(date_added=to_micros(day))
            )
    assert sign_in(browser, "alice") == 303
    both = {older["id"], newer["id"]}
    assert set(_ids(browser, q="stored")) == both
    assert _ids(browser, q="stored", since="2026-04-01") == [newer["id"]]
    assert _ids(browser, q="stored", since="2026-05-20") == [newer["id"]]  # that day counts
    assert _ids(browser, q="stored", since="2026-05-21") == []
    assert _ids(browser, q="stored", until="2026-03-10") == [older["id"]]  # the whole day
    assert _ids(browser, q="stored", since="2026-03-10", until="2026-05-19") == [older["id"]]
    assert set(_ids(browser, q="stored", since="2026-03-10", until="2026-05-20")) == both
