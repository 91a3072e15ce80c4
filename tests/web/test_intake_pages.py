"""The intake pages in-process, on both backends: an article pasted or given as a file
read into a draft, the draft's source text marked at its offsets, its elements accepted,
corrected and rejected, the draft published; another organisation neither sees nor acts
on it (404, nothing recorded of it); forms without the session's token do nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from passerelle.audit import log as audit
from passerelle.intake import review
from passerelle.policy import directory
from passerelle.policy.roles import Role
from tests.exchange_support import FakeClock, contexts
from tests.intake.review import ARTICLE, DGSI, number_of
from tests.web.support import csrf_of, rendered, session_client, sign_in
from tests.world import SHIPPED_ALIASES, World


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    """The draft of ARTICLE, made once for the module (the model loads once)."""
    from passerelle.intake.pipeline import draft_of

    return draft_of(ARTICLE, SHIPPED_ALIASES, lang="fr", published=date(2025, 3, 10)).bundle()


def _stored(world: World, clock: FakeClock, bundle: dict[str, Any]) -> review.DraftView:
    ctx = contexts(world, clock)("alice")
    return review.store_draft(ctx, review.StoreDraft(channel="fr-ru", bundle=bundle))


def _post(client: TestClient, path: str, token: str | None = None, **data: str) -> Any:
    if token is None:
        token = csrf_of(client.get("/intake/drafts").text)
    return client.post(path, data={"csrf": token, **data}, follow_redirects=False)


def _marks(html: str, kind: str) -> list[str]:
    """The texts marked as one kind in the source text (markers and hidden words left out)."""
    found = []
    for body in re.findall(rf'<mark class="hl hl-{kind}[^>]*>(.*?)</mark>', html, re.S):
        body = re.sub(r'<(a|span) class="marker".*?</\1>', "", body, flags=re.S)
        found.append(re.sub(r"<[^>]+>", "", body))
    return found


def test_a_pasted_article_is_read_into_a_draft_marked_at_its_offsets(
    browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice") == 303
    form = browser.get("/intake")
    assert form.status_code == 200
    # Only the channels alice may post into are offered.
    offered = re.findall(r'<option value="([^"]+)"', form.text.split('id="tlp"')[0])
    assert set(offered) == {"fr-ru", "community", "dropbox"}
    answer = browser.post(
        "/intake",
        data={
            "csrf": csrf_of(form.text),
            "text": ARTICLE,
            "channel": "fr-ru",
            "tlp": "amber",
            "lang": "fr",
            "published": "2025-03-10",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    draft_id = answer.headers["location"].removeprefix("/intake/drafts/")
    assert rendered(browser.get("/intake/drafts").text, "draft") == [draft_id]
    page = browser.get(f"/intake/drafts/{draft_id}").text
    assert "Karim Benali" in _marks(page, "entity")
    assert "Marseille" in _marks(page, "entity")
    assert "lundi" in _marks(page, "date")
    [quotation] = _marks(page, "quotation")
    assert "La menace reste très élevée" in quotation
    assert 'class="tlp tlp-amber">TLP:AMBER<' in page
    # Each mark names its element, which the list beside the text holds.
    for number in rendered(page, "mark"):
        assert f'id="element-{number}"' in page
    assert 'title="entity' in page
    assert f'action="/intake/drafts/{draft_id}/publish"' in page


def test_a_file_is_read_text_or_html_and_another_kind_refused(
    browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice") == 303
    token = csrf_of(browser.get("/intake").text)
    html = (
        "<html><head><title>Interpellation à Marseille</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[1:])
        + "</article></body></html>"
    )
    fields = {"csrf": token, "channel": "fr-ru", "lang": "fr", "published": "2025-03-10"}
    for name, body in (("article.html", html), ("article.txt", ARTICLE)):
        answer = browser.post(
            "/intake",
            data=fields,
            files={"file": (name, body.encode("utf-8"), "text/plain")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        page = browser.get(answer.headers["location"]).text
        assert "Karim Benali" in _marks(page, "entity")
        assert "<html" not in page.split('class="article"')[1]
    refused = browser.post(
        "/intake",
        data=fields,
        files={"file": ("article.pdf", b"%PDF-1.4", "application/pdf")},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "(.txt)" in refused.text
    assert len(rendered(browser.get("/intake/drafts").text, "draft")) == 2


def test_a_draft_reviewed_and_published_through_the_pages(
    browser: TestClient,
    other_browser: TestClient,
    world: World,
    clock: FakeClock,
    bundle: dict[str, Any],
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    token = csrf_of(browser.get(base).text)
    dgsi, suspect = number_of(view, DGSI), number_of(view, "Karim Benali")
    marseille = number_of(view, "Marseille")
    accepted = _post(browser, f"{base}/elements/{dgsi}/accept", token)
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"{base}#element-{dgsi}")
    corrected = _post(browser, f"{base}/elements/{suspect}/correct", token, name="Karim Ben Ali")
    assert corrected.status_code == 303
    assert _post(browser, f"{base}/elements/{marseille}/reject", token).status_code == 303
    early = _post(browser, f"{base}/publish", token)
    assert early.status_code == 409
    assert "pending" in early.text
    page = browser.get(base).text
    states = dict(re.findall(r'data-element="(\d+)" data-kind="\w+" data-state="(\w+)"', page))
    assert (states[str(dgsi)], states[str(suspect)], states[str(marseille)]) == (
        "accepted",
        "corrected",
        "rejected",
    )
    dash = "\N{EN DASH}"
    title = f"entity {marseille} {dash} location Marseille (rejected)"
    assert f'hl-entity is-rejected" title="{title}"' in page
    for number, state in states.items():
        if state == "pending":
            assert _post(browser, f"{base}/elements/{number}/reject", token).status_code == 303
    published = _post(browser, f"{base}/publish", token)
    assert published.status_code == 303
    page = browser.get(base).text
    [report_id] = rendered(page, "report")
    assert 'data-state="done"' in page
    assert "/publish" not in page  # nothing left to act on
    with world.database.read() as conn:
        done = [e.action for e in audit.entries(conn, object_id=view.id)]
    assert done.count("intake-draft-accept") == 1
    assert done.count("intake-draft-correct") == 1
    assert "intake-draft-publish" in done
    # A member of the channel reads the published report and the corrected name.
    assert sign_in(other_browser, "boris") == 303
    shown = other_browser.get(f"/objects/{report_id}")
    assert shown.status_code == 200
    assert escape(view.title) in shown.text
    refers_to = re.findall(r'<a href="(/objects/identity--[^"]+)"', shown.text)
    names = " ".join(other_browser.get(path).text for path in refers_to)
    assert (len(refers_to), "Karim Ben Ali" in names, DGSI in names) == (2, True, True)


def test_a_date_is_reviewed_through_the_page_like_any_element(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    monday = number_of(view, "lundi", "date")
    page = browser.get(base).text
    # Marked in the text as its element, with its form to correct the value.
    assert rendered(page, "mark").count(str(monday)) == 1
    assert f'id="value-{monday}" name="value"' in page
    assert "Dates read in the text" not in page
    wrong = _post(browser, f"{base}/elements/{monday}/correct", value="mars")
    assert (wrong.status_code, "not a date" in wrong.text) == (400, True)
    done = _post(browser, f"{base}/elements/{monday}/correct", value="2025-03-03")
    assert (done.status_code, done.headers["location"]) == (303, f"{base}#element-{monday}")
    page = browser.get(base).text
    assert f'data-element="{monday}" data-kind="date" data-state="corrected"' in page
    assert "lundi = 2025-03-03" in page


def test_a_correction_the_operation_refuses_shows_why(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    quote = number_of(view, "La menace reste", "quotation")
    bad_json = _post(browser, f"{base}/elements/{quote}/correct", body="{not json")
    assert bad_json.status_code == 400
    assert "not JSON" in bad_json.text
    # A quotation's label is what its speaker is: a place does not speak.
    relabelled = _post(browser, f"{base}/elements/{quote}/correct", name="X", label="location")
    assert relabelled.status_code == 400
    assert "a speaker is a person, an organization or a group" in relabelled.text
    alone = _post(browser, f"{base}/elements/{quote}/correct", label="person")
    assert alone.status_code == 400
    assert "only an entity has a label" in alone.text
    unknown = _post(browser, f"{base}/elements/9999/accept")
    assert unknown.status_code == 404
    assert _post(browser, f"{base}/elements/{quote}/launch").status_code == 404
    states = {
        e.state
        for e in review.show_draft(
            contexts(world, clock)("alice"), review.DraftRef(draft_id=view.id)
        ).elements
        if e.kind != "report"
    }
    assert states == {"pending"}


def test_a_speaker_named_on_the_page_becomes_the_quotations_reference(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    quote = number_of(view, "La menace reste", "quotation")
    page = browser.get(base).text
    assert f'<select id="label-{quote}" name="label">' in page
    done = _post(
        browser, f"{base}/elements/{quote}/correct", name="Parquet de Paris", label="organization"
    )
    assert done.status_code == 303
    shown = review.show_draft(contexts(world, clock)("alice"), review.DraftRef(draft_id=view.id))
    added = shown.elements[-1]
    note = next(e for e in shown.elements if e.number == quote).object
    assert (added.object["name"], added.state) == ("Parquet de Paris", "corrected")
    assert note["x_passerelle_speaker_ref"] == added.stix_id
    assert note["x_passerelle_speaker_kind"] == "organization"
    assert f'data-element="{added.number}" data-kind="entity" data-state="corrected"' in (
        browser.get(base).text
    )


def test_another_organisations_draft_answers_like_none(
    web_app: FastAPI, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    base = f"/intake/drafts/{view.id}"
    other_id = "draft--00000000-0000-4000-8000-000000000000"
    nothing = f"/intake/drafts/{other_id}"

    def like_none(text: str) -> str:  # the page of an id that does not exist
        return text.replace(view.id, other_id)

    for username in ("boris", "oscar", "carla"):
        with session_client(web_app, world.database, username) as client:
            assert rendered(client.get("/intake/drafts").text, "draft") == []
            assert view.id not in client.get("/").text
            seen, missing = client.get(base), client.get(nothing)
            assert (seen.status_code, missing.status_code) == (404, 404)
            assert like_none(seen.text) == missing.text
            assert client.get(f"/intake/drafts/{view.id[7:19]}").status_code == 404  # nor a prefix
            token = csrf_of(client.get("/intake").text if username != "carla" else seen.text)
            for path, data in (
                (f"{base}/elements/1/accept", {}),
                (f"{base}/elements/1/reject", {}),
                (f"{base}/elements/1/correct", {"name": "Someone else"}),
                (f"{base}/publish", {}),
                (f"{base}/entities", {"name": "Intrus", "label": "person"}),
                (f"{base}/facts", {"subject": "1", "object": "2", "kind": "phoned"}),
            ):
                answer = _post(client, path, token, **data)
                assert answer.status_code == 404, (username, path)
                assert like_none(answer.text).split("<main")[1] == missing.text.split("<main")[1]
    ctx = contexts(world, clock)("alice")
    again = review.show_draft(ctx, review.DraftRef(draft_id=view.id))
    assert [e.state for e in again.elements] == [e.state for e in view.elements]
    with world.database.read() as conn:
        about = audit.entries(conn, object_id=view.id)
    assert {e.username for e in about} == {"alice"}


def test_forms_without_the_sessions_token_do_nothing(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    dgsi = number_of(view, DGSI)
    for data in ({}, {"csrf": "forged"}):
        posts = (
            ("/intake", {"text": ARTICLE, "channel": "fr-ru"}),
            (f"{base}/elements/{dgsi}/accept", {}),
            (f"{base}/elements/{dgsi}/reject", {}),
            (f"{base}/elements/{dgsi}/correct", {"name": "DGSI"}),
            (f"{base}/publish", {}),
        )
        for path, fields in posts:
            answer = browser.post(path, data={**data, **fields}, follow_redirects=False)
            assert answer.status_code == 403, path
    assert rendered(browser.get("/intake/drafts").text, "draft") == [view.id]
    again = review.show_draft(contexts(world, clock)("alice"), review.DraftRef(draft_id=view.id))
    assert [e.state for e in again.elements] == [e.state for e in view.elements]


def test_the_inbox_and_navigation_lead_to_the_drafts(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    inbox = browser.get("/").text
    assert f'<a href="/intake/drafts/{view.id}">' in inbox
    assert '<a href="/intake/drafts">Intake</a>' in inbox
    browser.cookies.set("passerelle_lang", "fr")
    page = browser.get(f"/intake/drafts/{view.id}").text
    assert "Texte source" in page
    assert "Enregistrer la correction" in page
    assert re.search(r'class="marker" href="#element-\d+">C\d+<', page)  # C: citation


def test_an_auditor_of_the_drafts_organisation_takes_no_part(
    web_app: FastAPI, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    base = f"/intake/drafts/{view.id}"
    with session_client(web_app, world.database, "audrey") as client:
        token = csrf_of(client.get("/").text)
        assert "/intake" not in client.get("/").text
        for path in ("/intake", "/intake/drafts", base):
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert view.title not in answer.text
        assert _post(client, "/intake", token, text=ARTICLE, channel="fr-ru").status_code == 403
        assert _post(client, f"{base}/elements/1/accept", token).status_code == 403
        assert _post(client, f"{base}/publish", token).status_code == 403
    again = review.show_draft(contexts(world, clock)("alice"), review.DraftRef(draft_id=view.id))
    assert [e.state for e in again.elements] == [e.state for e in view.elements]


def test_an_entity_and_a_fact_added_on_the_page_are_published(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    assert sign_in(browser, "alice") == 303
    base = f"/intake/drafts/{view.id}"
    page = browser.get(base).text
    assert 'action="' + base + '/entities"' in page
    text = bundle["objects"][0]["x_passerelle_article_text"]
    start = text.index("une église")
    added = _post(
        browser, f"{base}/entities", name="église", label="location",
        start=str(start), end=str(start + 10),
    )  # fmt: skip
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{base}#add-entities"
    page = browser.get(base).text
    assert "une église" in _marks(page, "entity")
    ctx = contexts(world, clock)("alice")
    shown = review.show_draft(ctx, review.DraftRef(draft_id=view.id))
    church = number_of(shown, "église")
    suspect = number_of(shown, "Karim Benali")
    fact = _post(
        browser, f"{base}/facts", subject=str(suspect), object=str(church),
        kind="planned-attack-on", verb="préparer",
    )  # fmt: skip
    assert fact.status_code == 303, fact.text
    wrong = _post(browser, f"{base}/facts", subject=str(suspect), object=str(suspect), kind="x")
    assert wrong.status_code == 400
    assert "two different entities" in wrong.text
    shown = review.show_draft(ctx, review.DraftRef(draft_id=view.id))
    for element in shown.elements:
        if element.state == "pending":
            verb = "accept" if element.number == suspect else "reject"
            assert _post(browser, f"{base}/elements/{element.number}/{verb}").status_code == 303
    assert _post(browser, f"{base}/publish").status_code == 303
    done = review.show_draft(ctx, review.DraftRef(draft_id=view.id))
    assert done.state == "done"
    published = {e.summary for e in done.elements if e.state == "corrected"}
    assert {"location église", "Karim Benali planned-attack-on église"} <= published


def test_an_article_read_again_is_recognised_and_stored_as_an_update(
    browser: TestClient, world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    view = _stored(world, clock, bundle)
    ctx = contexts(world, clock)("alice")
    review.accept_element(ctx, review.Decide(draft_id=view.id, element=str(number_of(view, DGSI))))
    assert sign_in(browser, "alice") == 303
    fields = {"channel": "fr-ru", "lang": "fr", "published": "2025-03-10", "text": ARTICLE}
    refused = _post(browser, "/intake", csrf_of(browser.get("/intake").text), **fields)
    assert refused.status_code == 409
    assert f"stored as draft {view.id}" in refused.text
    assert 'id="update" name="update" type="checkbox" value="yes" autofocus' in refused.text
    assert str(escape(ARTICLE.split(chr(10))[0])) in refused.text  # the text is kept
    stored = _post(browser, "/intake", csrf_of(refused.text), update="yes", **fields)
    assert stored.status_code == 303, stored.text
    page = browser.get(stored.headers["location"]).text
    assert f"An update of draft {view.id}" in page
    update = review.list_drafts(ctx, review.ListDrafts())
    assert [d.replaces for d in update] == [view.id]
    assert update[0].accepted == 1
    listing = browser.get("/intake/drafts").text
    assert "replaced by an update" in listing
