"""Drafts under review: stored with --channel, reviewed element by element, published.

Only accepted (or corrected) elements become intelligence; accepted links feed the alias
knowledge; a draft is its organisation's alone; auditors take no part.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.core.context import Context
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.intake import drafts
from passerelle.intake.drafts import Correct, Decide, DraftRef, ListDrafts, StoreDraft
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.resolution.entities import EntityRef, show_entity
from passerelle.store.schema import audit_log
from tests.cli_runner import Run
from tests.exchange_support import ContextFor, FakeClock, contexts
from tests.world import SHIPPED_ALIASES as ALIASES
from tests.world import World

# Written for these tests (not taken from any publication).
ARTICLE = (
    "Marseille : un homme interpellé pour un projet d'attentat\n"
    "\n"
    "La Direction générale de la sécurité intérieure (DGSI) a interpellé lundi à Marseille "
    "un homme de 24 ans, Karim Benali, soupçonné de préparer un attentat contre une église "
    "pour le compte de l'État islamique. Il recevait ses consignes sur Telegram.\n"
    "\n"
    "« La menace reste très élevée », a déclaré le ministre de l'Intérieur, Laurent Morel. "
    "Selon lui, le suspect était en contact avec un recruteur installé en Syrie.\n"
)
DGSI = "Direction générale de la sécurité intérieure"


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    """The draft of ARTICLE, made once for the module (the model loads once)."""
    from passerelle.intake.pipeline import draft_of

    return draft_of(ARTICLE, ALIASES, lang="fr", published=date(2025, 3, 10)).bundle()


def _number(view: drafts.DraftView, needle: str, kind: str = "entity") -> int:
    found = [e.number for e in view.elements if e.kind == kind and needle in e.summary]
    assert len(found) == 1, (needle, [e.summary for e in view.elements])
    return found[0]


def _decide(ctx: Context, draft_id: str, number: int, verb: str) -> drafts.Element:
    request = Decide(draft_id=draft_id, element=str(number))
    run = drafts.accept_element if verb == "accept" else drafts.reject_element
    return run(ctx, request)


def _review(ctx: Context, view: drafts.DraftView) -> dict[str, int]:
    """Accept DGSI, the group, Telegram and the quotation; correct the suspect's name;
    reject the places, the minister (the quotation's speaker) and anything else."""
    numbers = {
        "dgsi": _number(view, DGSI),
        "group": _number(view, "islamique"),
        "telegram": _number(view, "Telegram"),
        "suspect": _number(view, "Karim Benali"),
        "minister": _number(view, "Laurent Morel"),
        "quote": _number(view, "La menace reste", "quotation"),
    }
    for name in ("dgsi", "group", "telegram", "quote"):
        _decide(ctx, view.id, numbers[name], "accept")
    corrected = drafts.correct_element(
        ctx,
        Correct(draft_id=view.id, element=str(numbers["suspect"]), name="Karim Ben Ali"),
    )
    assert corrected.state == "corrected"
    assert corrected.object["name"] == "Karim Ben Ali"
    for element in drafts.show_draft(ctx, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            _decide(ctx, view.id, element.number, "reject")
    return numbers


def _channel_objects(ctx: Context, channel: str) -> dict[str, dict[str, Any]]:
    """The objects of a channel that the context's user may see (what export reads)."""
    from sqlalchemy import select

    from passerelle.policy.visibility import channel_for, visible_placement
    from passerelle.store.schema import channel_objects, objects

    with ctx.database.read() as conn:
        found = channel_for(conn, ctx.viewer, channel)
        rows = conn.execute(
            select(objects.c.body)
            .join(
                channel_objects,
                (channel_objects.c.stix_id == objects.c.stix_id)
                & (channel_objects.c.version == objects.c.version),
            )
            .where(
                channel_objects.c.channel_id == found.id,
                visible_placement(ctx.viewer, channel_objects),
            )
        ).all()
    bodies = [json.loads(r.body) for r in rows]
    return {b["id"]: b for b in bodies}


def test_review_then_publish_only_what_was_accepted(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = drafts.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    assert view.id.startswith("draft--")
    assert view.channel == "fr-ru"
    assert view.state == "open"
    assert view.elements[0].kind == "report"
    assert view.elements[0].state == "accepted"
    assert all(e.state == "pending" for e in view.elements[1:])
    assert view.pending == len(view.elements) - 1
    listed = drafts.list_drafts(alice, ListDrafts())
    assert [d.id for d in listed] == [view.id]
    assert drafts.show_draft(ctx("alain"), DraftRef(draft_id=view.id[7:15])).id == view.id

    # Nothing reaches the channel before publishing, and publishing waits for every
    # element to be decided.
    assert _channel_objects(ctx("boris"), "fr-ru") == {}
    with pytest.raises(Conflict):
        drafts.publish_draft(alice, DraftRef(draft_id=view.id))
    numbers = _review(alice, view)

    done = drafts.publish_draft(alice, DraftRef(draft_id=view.id))
    assert done.draft.state == "done"
    assert done.draft.pending == 0
    seen = _channel_objects(ctx("boris"), "fr-ru")
    ids = {e.stix_id: e for e in view.elements}
    accepted = {e.object["id"] for e in done.draft.elements if e.state in ("accepted", "corrected")}
    assert set(seen) == accepted
    report = seen[done.report_id]
    assert "x_passerelle_draft" not in report
    assert set(report["object_refs"]) == accepted - {done.report_id}
    names = {o.get("name") for o in seen.values()}
    assert "Karim Ben Ali" in names
    assert "Karim Benali" not in names
    assert not names & {"Marseille", "Syrie", "Laurent Morel"}
    # The quotation stays; its rejected speaker does not.
    quote = seen[next(e.stix_id for e in view.elements if e.number == numbers["quote"])]
    assert "x_passerelle_speaker_ref" not in quote
    assert quote["object_refs"] == [done.report_id]
    for obj in seen.values():  # marked as the draft was: TLP:CLEAR, open source
        assert obj["object_marking_refs"] == bundle["objects"][0]["object_marking_refs"]

    # The accepted link teaches the entity its name, from the review.
    dgsi = ids[next(e.stix_id for e in view.elements if e.number == numbers["dgsi"])]
    assert dgsi.entity_id
    entity = show_entity(alice, EntityRef(entity_id=dgsi.entity_id))
    learnt = [(n.name, n.source, n.object_id) for n in entity.names if n.source == "review"]
    assert (DGSI, "review", dgsi.stix_id) in learnt
    assert dgsi.stix_id in entity.objects

    # A published draft is closed to further review, and listed only with --all.
    with pytest.raises(Conflict):
        drafts.reject_element(alice, Decide(draft_id=view.id, element=str(numbers["dgsi"])))
    with pytest.raises(Conflict):
        drafts.publish_draft(alice, DraftRef(draft_id=view.id))
    assert drafts.list_drafts(alice, ListDrafts()) == []
    assert [d.state for d in drafts.list_drafts(alice, ListDrafts(all=True))] == ["done"]

    with alice.database.read() as conn:
        actions = [r.action for r in conn.execute(audit_log.select()) if "intake" in r.action]
    assert actions[0] == "intake-draft-store"
    assert actions[-1] == "intake-draft-publish"
    assert {"intake-draft-accept", "intake-draft-reject", "intake-draft-correct"} <= set(actions)


def test_corrections_of_label_and_object(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = drafts.store_draft(alice, StoreDraft(channel="community", bundle=bundle))
    telegram = _number(view, "Telegram")
    relabelled = drafts.correct_element(
        alice, Correct(draft_id=view.id, element=str(telegram), label="organization")
    )
    assert relabelled.object["type"] == "identity"
    assert relabelled.object["id"].split("--")[1] == relabelled.stix_id.split("--")[1]
    group = next(e for e in view.elements if "islamique" in e.summary)
    body = {**group.object, "aliases": ["EI", "Daech"]}
    fixed = drafts.correct_element(
        alice, Correct(draft_id=view.id, element=group.stix_id, body=body)
    )
    assert fixed.object["aliases"] == ["EI", "Daech"]
    assert fixed.entity_id == group.entity_id
    with pytest.raises(BadInput):  # not STIX
        drafts.correct_element(
            alice,
            Correct(
                draft_id=view.id, element=str(telegram), body={"type": "identity"} | {"name": 3}
            ),
        )
    with pytest.raises(BadInput):  # the report is published in any case
        drafts.reject_element(alice, Decide(draft_id=view.id, element="0"))
    with pytest.raises(NotFound):
        drafts.accept_element(alice, Decide(draft_id=view.id, element="999"))
    for element in drafts.show_draft(alice, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            drafts.reject_element(alice, Decide(draft_id=view.id, element=str(element.number)))
    done = drafts.publish_draft(alice, DraftRef(draft_id=view.id))
    seen = _channel_objects(ctx("carla"), "community")
    assert relabelled.object["id"] in seen
    assert relabelled.stix_id not in seen
    assert seen[done.report_id]["object_refs"].count(relabelled.object["id"]) == 1


def test_nothing_accepted_nothing_published(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = drafts.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    for element in view.elements[1:]:
        drafts.reject_element(alice, Decide(draft_id=view.id, element=element.stix_id))
    with pytest.raises(BadInput):
        drafts.publish_draft(alice, DraftRef(draft_id=view.id))


def test_drafts_are_their_organisation_s_alone(
    world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    ctx = contexts(world, clock)
    view = drafts.store_draft(ctx("alice"), StoreDraft(channel="fr-ru", bundle=bundle))
    first = str(view.elements[1].number)
    for other in ("boris", "oscar"):
        assert drafts.list_drafts(ctx(other), ListDrafts(all=True)) == []
        for attempt in (
            lambda c: drafts.show_draft(c, DraftRef(draft_id=view.id)),
            lambda c: drafts.accept_element(c, Decide(draft_id=view.id, element=first)),
            lambda c: drafts.reject_element(c, Decide(draft_id=view.id, element=first)),
            lambda c: drafts.correct_element(c, Correct(draft_id=view.id, element=first, name="X")),
            lambda c: drafts.publish_draft(c, DraftRef(draft_id=view.id)),
        ):
            with pytest.raises(NotFound) as refused:
                attempt(ctx(other))
            # Exactly what an unknown id answers.
            assert str(refused.value) == f"no draft {view.id!r}"
    for attempt in (
        lambda c: drafts.list_drafts(c, ListDrafts()),
        lambda c: drafts.show_draft(c, DraftRef(draft_id=view.id)),
        lambda c: drafts.store_draft(c, StoreDraft(channel="fr-ru", bundle=bundle)),
    ):
        with pytest.raises(Forbidden):
            attempt(ctx("audrey"))


def test_storing_needs_the_right_to_write(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):  # an analyst may not share into a partner channel
        drafts.store_draft(ctx("alain"), StoreDraft(channel="fr-ru", bundle=bundle))
    with pytest.raises(Forbidden):  # cert only reads the community channel
        drafts.store_draft(ctx("carla"), StoreDraft(channel="community", bundle=bundle))
    with pytest.raises(NotFound):  # not a member
        drafts.store_draft(ctx("oscar"), StoreDraft(channel="fr-ru", bundle=bundle))
    with pytest.raises(BadInput):
        drafts.store_draft(
            ctx("alice"), StoreDraft(channel="fr-ru", bundle={"type": "bundle", "objects": []})
        )
    assert drafts.store_draft(ctx("oscar"), StoreDraft(channel="private", bundle=bundle)).id
    # The node reads the article itself when given its text.
    read = drafts.store_draft(
        ctx("oscar"),
        StoreDraft(channel="private", text=ARTICLE, lang="fr", published="2025-03-10"),
    )
    assert read.published == "2025-03-10"
    assert any("Karim Benali" in e.summary for e in read.elements)
    with pytest.raises(BadInput):  # one of the two
        drafts.store_draft(ctx("oscar"), StoreDraft(channel="private"))


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
    for operation in (drafts.STORE, drafts.LIST, drafts.SHOW, drafts.ACCEPT, drafts.PUBLISH):
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


def test_a_fact_about_a_rejected_entity_is_left_out(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    objects = [dict(o) for o in bundle["objects"]]
    suspect = next(o for o in objects if o.get("name") == "Karim Benali")
    group = next(o for o in objects if o.get("type") == "intrusion-set")
    fact = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--6f1d8a57-5a55-4f5e-9d0e-3d2b8c1f0a11",
        "created": suspect["created"],
        "modified": suspect["modified"],
        "relationship_type": "attributed-to",
        "source_ref": suspect["id"],
        "target_ref": group["id"],
        "object_marking_refs": suspect["object_marking_refs"],
    }
    objects[0] = {**objects[0], "object_refs": [*objects[0]["object_refs"], fact["id"]]}
    alice = ctx("alice")
    view = drafts.store_draft(
        alice, StoreDraft(channel="fr-ru", bundle={**bundle, "objects": [*objects, fact]})
    )
    element = next(e for e in view.elements if e.kind == "fact")
    assert element.summary == "Karim Benali attributed-to État islamique"
    for other in view.elements[1:]:
        verb = "reject" if other.stix_id == suspect["id"] else "accept"
        _decide(alice, view.id, other.number, verb)
    done = drafts.publish_draft(alice, DraftRef(draft_id=view.id))
    assert done.left_out == [f"{fact['id']}: its source_ref {suspect['id']} was not accepted"]
    assert fact["id"] not in done.stored
    assert group["id"] in done.stored
