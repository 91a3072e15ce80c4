"""Reviewing drafts from the command line and through the REST API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.intake import review
from tests.cli_runner import Run
from tests.intake.review import (
    ARTICLE,
    DGSI,
)
from tests.world import World


def test_command_line(run: Run, world: World, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    stored = run(
        "intake", str(path), "--published", "2025-03-10", "--channel", "fr-ru", user="alice"
    )
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["type"] == "bundle"
    assert "stored draft draft--" in stored.stderr
    draft_id = stored.stderr.split("stored draft ", 1)[1].split()[0]

    listed = run("intake", "drafts", "--json", user="alice")
    assert [d["id"] for d in json.loads(listed.stdout)] == [draft_id]
    table = run("intake", "drafts", user="alice").stdout
    assert draft_id in table
    assert "PENDING" in table.upper()
    assert "Marseille" in table
    assert json.loads(run("intake", "drafts", "--json", user="boris").stdout) == []
    refused = run("intake", "show", draft_id, user="boris")
    assert refused.exit_code != 0
    assert "no draft" in refused.output

    shown = json.loads(run("intake", "show", draft_id[7:20], "--json", user="alice").stdout)
    by_summary = {e["summary"]: e for e in shown["elements"]}
    suspect = next(e for s, e in by_summary.items() if "Karim Benali" in s)
    dgsi = next(e for s, e in by_summary.items() if DGSI in s)
    text = run("intake", "show", draft_id, user="alice").stdout
    assert "Karim Benali" in text
    assert "entity--" in text

    accepted = run("intake", "accept", draft_id, str(dgsi["number"]), user="alice")
    assert accepted.exit_code == 0
    assert f"accepted {dgsi['number']}:" in accepted.stdout
    corrected = run(
        "intake", "correct", draft_id, suspect["stix_id"], "--name", "Karim Ben Ali", user="alice"
    )
    assert corrected.exit_code == 0, corrected.output
    assert "Karim Ben Ali" in corrected.stdout
    early = run("intake", "publish", draft_id, user="alice")
    assert early.exit_code != 0
    assert "pending" in early.output
    rest = [
        str(e["number"])
        for e in shown["elements"]
        if e["state"] == "pending" and e["number"] not in (dgsi["number"], suspect["number"])
    ]
    assert run("intake", "reject", draft_id, *rest, user="alice").exit_code == 0
    published = run("intake", "publish", draft_id, "--json", user="alice")
    assert published.exit_code == 0, published.output
    report_id = json.loads(published.stdout)["report_id"]

    exported = json.loads(run("export", "--channel", "fr-ru", user="boris").stdout)
    names = {o.get("name") for o in exported["objects"]}
    assert {DGSI, "Karim Ben Ali"} <= names
    assert "Marseille" not in names
    assert report_id in {o["id"] for o in exported["objects"]}


def test_a_file_named_like_a_subcommand_is_read_as_a_path(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("drafts").write_text(ARTICLE, encoding="utf-8")
    result = run("intake", "./drafts", "--format", "summary")
    assert result.exit_code == 0, result.output
    assert "Karim Benali" in result.stdout
    assert "read an article" in run("intake", "--help").stdout


def test_rest_api_end_to_end(api: TestClient, world: World, bundle: dict[str, Any]) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for operation in (review.STORE, review.LIST, review.SHOW, review.ACCEPT, review.PUBLISH):
        assert operation.method.lower() in paths.get(operation.path, {}), operation.name

    def auth(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {world.tokens[user]}"}

    made = api.post(
        "/api/intake/drafts", json={"channel": "fr-ru", "bundle": bundle}, headers=auth("alice")
    )
    assert made.status_code == 201, made.text
    view = made.json()
    draft_id = view["id"]
    assert api.get("/api/intake/drafts", headers=auth("boris")).json() == []
    assert api.get(f"/api/intake/drafts/{draft_id}", headers=auth("boris")).status_code == 404
    listed = api.get("/api/intake/drafts", headers=auth("alain")).json()
    assert [d["id"] for d in listed] == [draft_id]

    telegram = next(e for e in view["elements"] if "Telegram" in e["summary"])
    path = f"/api/intake/drafts/{draft_id}/elements"
    fixed = api.post(
        f"{path}/{telegram['stix_id']}/correct",
        json={"name": "Telegram Messenger"},
        headers=auth("alice"),
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["state"] == "corrected"
    assert api.post(f"{path}/1/accept", json={}, headers=auth("boris")).status_code == 404
    early = api.post(f"/api/intake/drafts/{draft_id}/publish", headers=auth("alice"))
    assert early.status_code == 409
    for element in view["elements"][1:]:
        if element["stix_id"] != telegram["stix_id"]:
            answer = api.post(
                f"{path}/{element['number']}/reject",
                json={"reason": "not needed"},
                headers=auth("alice"),
            )
            assert answer.status_code == 200, answer.text
    done = api.post(f"/api/intake/drafts/{draft_id}/publish", headers=auth("alice"))
    assert done.status_code == 200, done.text
    assert len(done.json()["stored"]) == 2
    collection = world.collection("fr-ru")
    got = api.get(
        f"/taxii2/root/collections/{collection}/objects/",
        headers={**auth("boris"), "Accept": "application/taxii+json;version=2.1"},
    )
    assert got.status_code == 200, got.text
    names = {o.get("name") for o in got.json()["objects"]}
    assert "Telegram Messenger" in names
    assert "Marseille" not in names


def test_command_line_recognises_an_article_and_adds_what_intake_missed(
    run: Run, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    store = ("intake", str(path), "--published", "2025-03-10", "--channel", "fr-ru")
    first = run(*store, user="alice")
    assert first.exit_code == 0, first.output
    draft_id = first.stderr.split("stored draft ", 1)[1].split()[0]

    entity = run(
        "intake", "add-entity", draft_id, "église", "--label", "location", "--at", "192-212",
        user="alice",
    )  # fmt: skip
    assert entity.exit_code == 0, entity.output
    assert entity.stdout.startswith("added ")
    assert "location église" in entity.stdout
    church = entity.stdout.split()[1].rstrip(":")
    shown = json.loads(run("intake", "show", draft_id, "--json", user="alice").stdout)
    suspect = next(e for e in shown["elements"] if "Karim Benali" in e["summary"])
    fact = run(
        "intake", "add-fact", draft_id, str(suspect["number"]), "planned-attack-on", church,
        "--verb", "préparer", user="alice",
    )  # fmt: skip
    assert fact.exit_code == 0, fact.output
    assert "Karim Benali planned-attack-on église" in fact.stdout
    wrong = run(
        "intake", "add-entity", draft_id, "X", "--label", "person", "--at", "5", user="alice"
    )
    assert wrong.exit_code != 0
    assert "START-END" in wrong.output
    assert run("intake", "add-entity", draft_id, "X", "--label", "person", user="boris").exit_code

    # The same article again: refused in one line, then stored as an update.
    again = run(*store, user="alice")
    assert again.exit_code != 0
    assert f"stored as draft {draft_id}" in again.output
    assert "Traceback" not in again.output
    updated = run(*store, "--update", user="alice")
    assert updated.exit_code == 0, updated.output
    assert f"updates {draft_id}: 2 decisions kept" in updated.stderr
    listed = json.loads(run("intake", "drafts", "--json", user="alice").stdout)
    assert [d["replaces"] for d in listed] == [draft_id]


def test_rest_api_recognises_an_article_and_adds_what_intake_missed(
    api: TestClient, world: World, bundle: dict[str, Any]
) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for operation in (review.ADD_ENTITY, review.ADD_FACT):
        assert operation.method.lower() in paths.get(operation.path, {}), operation.name

    def auth(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {world.tokens[user]}"}

    asked = {"channel": "fr-ru", "bundle": bundle}
    draft_id = api.post("/api/intake/drafts", json=asked, headers=auth("alice")).json()["id"]
    again = api.post("/api/intake/drafts", json=asked, headers=auth("alice"))
    assert again.status_code == 409
    assert draft_id in again.text
    added = api.post(
        f"/api/intake/drafts/{draft_id}/entities",
        json={"name": "FSB", "label": "organization"},
        headers=auth("alice"),
    )
    assert added.status_code == 201, added.text
    assert added.json()["state"] == "corrected"
    fact = api.post(
        f"/api/intake/drafts/{draft_id}/facts",
        json={"subject": str(added.json()["number"]), "object": "1", "kind": "phoned"},
        headers=auth("alice"),
    )
    assert fact.status_code == 201, fact.text
    bad = api.post(
        f"/api/intake/drafts/{draft_id}/facts",
        json={"subject": "1", "object": "2", "kind": "Not A Type"},
        headers=auth("alice"),
    )
    assert bad.status_code in (400, 422)
    for path in ("entities", "facts"):
        stolen = api.post(
            f"/api/intake/drafts/{draft_id}/{path}",
            json={"name": "X", "label": "person", "subject": "1", "object": "2", "kind": "phoned"},
            headers=auth("boris"),
        )
        assert stolen.status_code == 404
    update = api.post(
        "/api/intake/drafts", json={**asked, "update": True}, headers=auth("alice")
    ).json()
    assert update["replaces"] == draft_id
    assert sum(e["state"] != "pending" for e in update["elements"]) == 3  # report, 2 added
