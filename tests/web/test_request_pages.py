"""The RFI and watch pages in-process: send, refuse and answer an RFI; add, extend and end
a watch and see its hit; every new form refused without the session's token; an RFI of
other organisations answers like one that does not exist."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.exchange_support import store
from tests.stixgen import indicator
from tests.web.support import csrf_of, rendered, sign_in
from tests.world import World


def _post(client: TestClient, page: str, path: str, **fields: str) -> tuple[int, str]:
    token = csrf_of(client.get(page).text)
    answer = client.post(path, data={"csrf": token, **fields}, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", answer.text)


def _send(client: TestClient, purpose: str) -> str:
    status, where = _post(client, "/rfis", "/rfis", to="fsb", purpose=purpose, urgency="urgent")
    assert status == 303, where
    return where.removeprefix("/rfis/")


def test_rfis_are_sent_refused_and_answered_through_the_pages(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    first = _send(browser, "Who runs the cell?")
    assert rendered(other_browser.get("/rfis").text, "rfi") == [first]
    status, _ = _post(other_browser, f"/rfis/{first}", f"/rfis/{first}/refuse", reason="No data")
    assert status == 303
    assert "No data" in browser.get(f"/rfis/{first}").text

    second = _send(browser, "Which number does he use?")
    clue = indicator(3, name="The number he uses")
    store(world, "boris", "fr-ru", [clue])
    status, _ = _post(
        other_browser, f"/rfis/{second}", f"/rfis/{second}/answer", objects=clue["id"]
    )
    assert status == 303
    assert rendered(browser.get(f"/rfis/{second}").text, "answer") == [clue["id"]]
    # Refused without objects, shown again with the reason.
    third = _send(browser, "Anything else?")
    status, text = _post(other_browser, f"/rfis/{third}", f"/rfis/{third}/answer", objects="")
    assert status in (400, 409)
    assert 'role="alert"' in text


def test_an_rfi_of_others_is_not_found(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice") == 303
    asked = _send(browser, "Private question")
    assert sign_in(other_browser, "carla") == 303
    for path in (f"/rfis/{asked}", "/rfis/rfi--00000000-0000-4000-8000-000000000000"):
        page = other_browser.get(path)
        assert page.status_code == 404
        assert "Private question" not in page.text
    status, _ = _post(other_browser, "/rfis", f"/rfis/{asked}/refuse", reason="Not ours")
    assert status == 404
    assert "Not ours" not in browser.get(f"/rfis/{asked}").text
    assert rendered(other_browser.get("/rfis").text, "rfi") == []


def test_watches_are_added_extended_ended_and_hit(browser: TestClient, world: World) -> None:
    assert sign_in(browser, "alice") == 303
    status, _ = _post(browser, "/watches", "/watches", kind="observable", value="cell@example.org")
    assert status == 303
    listed = browser.get("/watches").text
    [watch_id] = rendered(listed, "watch")
    clue = indicator(5, pattern="[email-addr:value = 'cell@example.org']")
    store(world, "boris", "fr-ru", [clue])
    assert rendered(browser.get("/watches").text, "hit") == [clue["id"]]
    status, _ = _post(browser, "/watches", f"/watches/{watch_id}/extend", until="2099-12-31")
    assert status == 303
    assert "2099" in browser.get("/watches").text
    status, _ = _post(browser, "/watches", f"/watches/{watch_id}/end", reason="Case closed")
    assert status == 303
    assert 'action="/watches/' not in browser.get("/watches").text.split('id="hits-title"')[0]


def test_every_new_form_needs_the_session_token(
    browser: TestClient, other_browser: TestClient
) -> None:
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    asked = _send(browser, "Token question")
    _post(browser, "/watches", "/watches", kind="name", value="Ivan Petrov")
    [watch_id] = rendered(browser.get("/watches").text, "watch")
    forged = [
        (browser, "/rfis", {"to": "fsb", "purpose": "forged", "urgency": "urgent"}),
        (other_browser, f"/rfis/{asked}/refuse", {"reason": "forged"}),
        (other_browser, f"/rfis/{asked}/answer", {"objects": "x"}),
        (browser, "/watches", {"kind": "name", "value": "forged"}),
        (browser, f"/watches/{watch_id}/extend", {"until": "2099-01-01"}),
        (browser, f"/watches/{watch_id}/end", {"reason": "forged"}),
    ]
    for client, path, fields in forged:
        for token in ({}, {"csrf": "not-the-token"}):
            answer = client.post(path, data={**fields, **token}, follow_redirects=False)
            assert answer.status_code == 403, path
    assert len(rendered(browser.get("/rfis").text, "rfi")) == 1
    watches_page = browser.get("/watches").text
    assert "forged" not in watches_page
    assert "2099" not in watches_page
    assert "forged" not in other_browser.get(f"/rfis/{asked}").text


def _rfi_row(html: str, rfi_id: str) -> str:
    return html.split(f'data-rfi="{rfi_id}"')[1].split("</tr>")[0]


def test_a_received_rfi_reads_received_in_both_languages(
    browser: TestClient, other_browser: TestClient, world: World
) -> None:
    assert sign_in(browser, "alice") == 303
    assert sign_in(other_browser, "boris") == 303
    asked = _send(browser, "Who runs the cell?")
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    # The receiver: received (reçue, an RFI being feminine in French), to answer.
    row = _rfi_row(other_browser.get("/rfis").text, asked)
    assert row.count(">received<") == 2  # its direction and its state
    row = _rfi_row(other_browser.get("/rfis", headers=french).text, asked)
    assert row.count(">reçue<") == 2
    page = other_browser.get(f"/rfis/{asked}", headers=french).text
    assert 'data-rfi-state="open">reçue<' in page
    # The sender: sent (envoyée), open until it is answered or refused.
    row = _rfi_row(browser.get("/rfis", headers=french).text, asked)
    assert (">envoyée<" in row, ">ouverte<" in row) == (True, True)
    assert 'data-rfi-state="open">open<' in browser.get(f"/rfis/{asked}").text
    status, _ = _post(other_browser, f"/rfis/{asked}", f"/rfis/{asked}/refuse", reason="No data")
    assert status == 303
    page = other_browser.get(f"/rfis/{asked}", headers=french).text
    assert 'data-rfi-state="refused">refusée<' in page
