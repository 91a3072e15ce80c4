"""The web interface's pages in-process: the seed scenario through the forms (A shares, B
acknowledges, investigates, closes actioned with 7 arrests, A sees it), the H3 gate,
CSRF refusals of the lifecycle forms, and French and English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.durations import DAY
from passerelle.exchange import tips
from passerelle.intake import review
from passerelle.stix.markings import HANDLING_EXTENSION_ID, PAP_MARKINGS, TLP2_IDS, Pap, Tlp
from tests.exchange_support import FakeClock, cell_report, contexts, store
from tests.stixgen import T0, identity
from tests.web.support import csrf_of, rendered, session_client, sign_in
from tests.world import World


def _share(client: TestClient, object_id: str, recipients: str = "boris") -> str:
    inbox = client.get("/")
    answer = client.post(
        "/tips",
        data={
            "csrf": csrf_of(inbox.text),
            "object_id": object_id,
            "channel": "fr-ru",
            "recipients": recipients,
            "action_requested": "Find and stop the cell",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].removeprefix("/tips/")


def _act(client: TestClient, tip_id: str, action: str, **fields: str) -> int:
    token = csrf_of(client.get(f"/tips/{tip_id}").text)
    answer = client.post(
        f"/tips/{tip_id}/{action}", data={"csrf": token, **fields}, follow_redirects=False
    )
    return answer.status_code


def test_seed_scenario_through_the_pages(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    group, leader, report = cell_report()
    store(world, "alice", "fr-ru", [group, leader, report])
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303

    tip_id = _share(browser, report["id"])
    inbox = other_browser.get("/")
    assert rendered(inbox.text, "tip") == [tip_id]
    assert "Cell plans bombings of religious sites" in inbox.text

    page = other_browser.get(f"/tips/{tip_id}")
    # The report and what it refers to, for people: names, not JSON.
    assert set(rendered(page.text, "object")) == {report["id"], group["id"], leader["id"]}
    assert "Seven-person cell" in page.text
    assert "Ivan Petrov" in page.text
    assert 'class="tlp tlp-amber">TLP:AMBER<' in page.text

    assert _act(other_browser, tip_id, "ack") == 303
    assert _act(other_browser, tip_id, "investigate") == 303
    closed = _act(other_browser, tip_id, "close", outcome="actioned", arrests="7", seizures="TATP")
    assert closed == 303

    seen = browser.get(f"/tips/{tip_id}").text
    assert rendered(seen, "organisation") == ["fsb"]
    assert re.search(r'class="arrests">7<', seen)
    assert "actioned" in seen
    # What boris did through the pages is audited with the purpose he signed in for.
    with world.database.read() as conn:
        done = [(e.action, e.purpose) for e in audit.entries(conn, username="boris")]
    assert ("web-signin", "triage") in done
    assert len([a for a, purpose in done if purpose == "triage"]) > 1
    assert {purpose for _action, purpose in done} == {"triage"}
    assert "TATP" in seen
    # Nothing of it reaches an organisation outside the channel.
    assert sign_in(browser, "oscar") == 303
    assert browser.get(f"/tips/{tip_id}").status_code == 404
    assert tip_id not in browser.get("/").text


def test_lifecycle_forms_without_the_session_token_change_nothing(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    tip_id = _share(browser, items[-1]["id"])
    for token in (None, "forged", csrf_of(browser.get("/").text)):  # alice's token is not boris's
        data = {} if token is None else {"csrf": token}
        answer = other_browser.post(f"/tips/{tip_id}/ack", data=data, follow_redirects=False)
        assert answer.status_code == 403
    assert "received" in other_browser.get(f"/tips/{tip_id}").text
    assert 'action="/tips/' + tip_id + '/ack"' in other_browser.get(f"/tips/{tip_id}").text


def test_closing_needs_a_valid_outcome(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    tip_id = _share(browser, items[-1]["id"])
    assert _act(other_browser, tip_id, "close", outcome="actioned") == 409  # not acknowledged
    assert _act(other_browser, tip_id, "ack") == 303
    assert _act(other_browser, tip_id, "close", outcome="actioned", arrests="-1") == 400
    assert _act(other_browser, tip_id, "close", outcome="won") == 400


def test_h3_content_waits_for_the_readers_acknowledgement(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    secret = identity(
        "Informant Vasily",
        object_marking_refs=[TLP2_IDS[Tlp.AMBER]],
        extensions={
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "handling_codes": ["H3"],
                "h3_text": "Do not act before calling the desk",
            }
        },
    )
    store(world, "alice", "fr-ru", [secret])
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    tip_id = _share(browser, secret["id"])
    assert "Vasily" not in other_browser.get("/").text
    gated = other_browser.get(f"/tips/{tip_id}").text
    assert "Vasily" not in gated
    assert "Do not act before calling the desk" in gated
    answer = other_browser.post(
        "/acknowledgements",
        data={"csrf": csrf_of(gated), "object_id": secret["id"], "next": f"/tips/{tip_id}"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"/tips/{tip_id}"
    assert "Informant Vasily" in other_browser.get(f"/tips/{tip_id}").text


def test_the_browser_language_chooses_and_the_switch_overrides(browser: TestClient) -> None:
    french = browser.get("/signin", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in french.text
    assert "Se connecter" in french.text
    english = browser.get("/signin", headers={"Accept-Language": "de, en;q=0.8"})
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text
    browser.get("/language/en", params={"next": "/signin"})
    overridden = browser.get("/signin", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in overridden.text
    assert sign_in(browser, "alice") == 303
    browser.get("/language/fr", params={"next": "/"})
    assert "Boîte de réception" in browser.get("/").text


def test_no_page_runs_inline_script_or_style(browser: TestClient, world: World) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    tip_id = _share(browser, items[-1]["id"])
    for path in ("/", f"/tips/{tip_id}", "/signin", "/tips/tip--missing"):
        html = browser.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\s(style|on\w+)=", html), path
        assert not re.search(r"https?://", html), path


class _Controls(HTMLParser):
    """The form controls of a page and the ids its labels name."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(str(found.get("id")))


def test_every_control_has_its_label(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    tip_id = _share(browser, items[-1]["id"])
    assert _act(other_browser, tip_id, "ack") == 303
    pages = [browser.get("/signin"), browser.get("/"), other_browser.get(f"/tips/{tip_id}")]
    for page in pages:
        parsed = _Controls()
        parsed.feed(page.text)
        assert parsed.controls, page.url
        assert [c for c in parsed.controls if c not in parsed.labelled] == [], page.url


def test_nobody_else_can_move_a_tip_through_the_pages(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    assert sign_in(browser, "alice") == 303
    tip_id = _share(browser, items[-1]["id"])
    # The sender may not acknowledge or close for its recipient.
    assert _act(browser, tip_id, "ack") == 409
    for intruder in ("oscar", "carla"):
        assert sign_in(other_browser, intruder) == 303
        token = csrf_of(other_browser.get("/").text)
        for action, data in (("ack", {}), ("close", {"outcome": "refuted"})):
            answer = other_browser.post(
                f"/tips/{tip_id}/{action}", data={"csrf": token, **data}, follow_redirects=False
            )
            assert answer.status_code == 404
            assert "Cell plans" not in answer.text
        answer = other_browser.post(
            "/acknowledgements",
            data={"csrf": token, "object_id": items[-1]["id"], "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 404
    assert sign_in(other_browser, "boris") == 303
    assert 'action="/tips/' + tip_id + '/ack"' in other_browser.get(f"/tips/{tip_id}").text


def test_the_inbox_lists_the_organisations_drafts_under_review(
    browser: TestClient, other_browser: TestClient, world: World, clock: FakeClock
) -> None:
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--2c9e3b0a-5b8e-4c1e-9d0a-7f3f0c2a1b11",
        "created": T0,
        "modified": T0,
        "name": "Draft on the cell",
        "published": T0,
        "object_refs": ["identity--8a1f6a43-5b2d-4a8e-b7f7-0f5e3c9d2a10"],
        "x_passerelle_draft": True,
    }
    person = identity("Ivan Petrov", id="identity--8a1f6a43-5b2d-4a8e-b7f7-0f5e3c9d2a10")
    bundle = {"type": "bundle", "id": "bundle--1", "objects": [report, person]}
    draft = review.store_draft(
        contexts(world, clock)("alice"), review.StoreDraft(channel="fr-ru", bundle=bundle)
    )
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    assert rendered(browser.get("/").text, "draft") == [draft.id]
    assert "Draft on the cell" not in other_browser.get("/").text


def test_a_share_refused_in_the_web_is_in_the_audit_log(web_app: FastAPI, world: World) -> None:
    # The forms run the same operations as REST and the command line, through the one
    # function that audits a refusal: cert only reads the community channel.
    obj = identity("Someone")
    store(world, "alice", "community", [obj])
    with session_client(web_app, world.database, "carla") as carla:
        inbox = carla.get("/")
        answer = carla.post(
            "/tips",
            data={"csrf": csrf_of(inbox.text), "object_id": obj["id"], "channel": "community"},
            follow_redirects=False,
        )
    assert answer.status_code == 400  # the inbox again, saying why
    assert "community" in answer.text
    with world.database.read() as conn:
        [entry] = [e for e in audit.entries(conn, username="carla") if e.action == "refused"]
    assert (entry.detail["operation"], entry.object_ids) == ("tips.share", (obj["id"],))
    assert entry.purpose == "matrix test"


def _late_row(html: str, tip_id: str) -> str:
    return html.split(f'data-tip="{tip_id}"', 1)[1].split("</tr>", 1)[0]


def test_the_inbox_puts_overdue_tips_first_marked_with_their_deadlines(
    browser: TestClient, world: World, clock: FakeClock
) -> None:
    people = {name: identity(name) for name in ("Late one", "Due one", "Acknowledged one")}
    store(world, "alice", "fr-ru", list(people.values()))
    context = contexts(world, clock)

    def share(name: str) -> str:
        asked = tips.ShareRequest(object_id=people[name]["id"], channel="fr-ru")
        return tips.share(context("alice"), asked).id

    # Shared at 09:00 on 11 January 2027 (the tests' clock): to acknowledge within a day.
    late = share("Late one")
    clock.advance(2 * DAY)
    due, acknowledged = share("Due one"), share("Acknowledged one")
    tips.acknowledge(context("boris"), tips.AckRequest(tip_id=acknowledged))
    assert sign_in(browser, "boris") == 303
    inbox = browser.get("/").text
    received = inbox.split('id="received-title"', 1)[1].split("</section>", 1)[0]
    assert rendered(received, "tip") == [late, due, acknowledged]
    assert 'class="late"' in _late_row(received, late)
    assert "overdue: acknowledgement" in _late_row(received, late)
    assert "12 Jan 2027 09:00 UTC" in _late_row(received, late)  # its missed deadline
    for on_time, deadline in ((due, "14 Jan 2027 09:00"), (acknowledged, "27 Jan 2027 09:00")):
        assert "late" not in _late_row(received, on_time)
        assert "overdue" not in _late_row(received, on_time)
        assert deadline in _late_row(received, on_time)  # to acknowledge; then the outcome
    counters = inbox.split('id="counters"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<span class="count">3</span> open tips received', counters)
    assert "(received: 2, acknowledged: 1, investigating: 0)" in counters
    assert re.search(r'class="overdue"><span class="count">1</span> overdue', counters)
    # The fragment htmx refreshes counts the same.
    assert (
        "(received: 2, acknowledged: 1, investigating: 0)"
        in browser.get("/fragments/counters").text
    )


PAP_GREEN = next(ident for ident, pap in PAP_MARKINGS.items() if pap is Pap.GREEN)


def test_the_tip_page_shows_every_handling_rule_the_history_and_the_feedback(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    graded = identity(
        "Courier of the cell",
        object_marking_refs=[TLP2_IDS[Tlp.AMBER], PAP_GREEN],
        extensions={
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "handling_codes": ["H1", "H2"],
                "source_grading": {"scheme": "admiralty", "reliability": "B", "credibility": "2"},
            }
        },
    )
    store(world, "alice", "fr-ru", [graded])
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    tip_id = _share(browser, graded["id"])
    page = other_browser.get(f"/tips/{tip_id}").text
    rules = page.split('class="handling"', 1)[1].split("</p>", 1)[0]
    assert 'class="tlp tlp-amber">TLP:AMBER<' in rules
    assert '<span class="pap">PAP:GREEN</span>' in rules
    assert re.findall(r'<span class="code">(H\d)</span>', rules) == ["H1", "H2"]
    assert '<span class="grading">Source: admiralty B2</span>' in rules
    assert _act(other_browser, tip_id, "ack") == 303
    assert _act(other_browser, tip_id, "investigate") == 303
    closing = {"outcome": "actioned", "arrests": "2", "note": "Both held in Lyon"}
    assert _act(other_browser, tip_id, "close", **closing) == 303
    for client in (other_browser, browser):  # the receiver's history, the sender's view
        seen = client.get(f"/tips/{tip_id}").text
        receipt = seen.split('data-organisation="fsb"', 1)[1].split("</div>", 1)[0]
        history = re.findall(r"<li>(.*?)</li>", receipt.split('class="history"', 1)[1])
        states = [re.sub(r"^.*?: (\w+) \(.*$", r"\1", event) for event in history]
        assert states == ["received", "acknowledged", "investigating", "closed"]
        assert all("(boris)" in event for event in history[1:])
        # The outcome went back to the producer as feedback objects, counted on its event.
        assert re.search(r"closed \(boris\), feedback: [1-9]", history[-1])
        assert re.search(r'class="arrests">2<', receipt)
        assert "Note: Both held in Lyon" in receipt
