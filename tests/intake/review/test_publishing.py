"""Publishing: only accepted (or corrected) elements become intelligence; accepted links
feed the alias knowledge; a fact about a rejected entity is left out."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput, Conflict
from passerelle.intake import review
from passerelle.intake.review import Decide, DraftRef, ListDrafts, StoreDraft
from passerelle.resolution.entities import EntityRef, show_entity
from passerelle.store.schema import audit_log
from tests.exchange_support import ContextFor
from tests.intake.review import (
    DGSI,
    decide,
    review_all,
    seen_in_channel,
)


def test_review_then_publish_only_what_was_accepted(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    assert view.id.startswith("draft--")
    assert view.channel == "fr-ru"
    assert view.state == "open"
    assert view.elements[0].kind == "report"
    assert view.elements[0].state == "accepted"
    assert all(e.state == "pending" for e in view.elements[1:])
    assert view.pending == len(view.elements) - 1
    listed = review.list_drafts(alice, ListDrafts())
    assert [d.id for d in listed] == [view.id]
    assert review.show_draft(ctx("alain"), DraftRef(draft_id=view.id[7:15])).id == view.id

    # Nothing reaches the channel before publishing, and publishing waits for every
    # element to be decided.
    assert seen_in_channel(ctx("boris"), "fr-ru") == {}
    with pytest.raises(Conflict):
        review.publish_draft(alice, DraftRef(draft_id=view.id))
    numbers = review_all(alice, view)

    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    assert done.draft.state == "done"
    assert done.draft.pending == 0
    seen = seen_in_channel(ctx("boris"), "fr-ru")
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
        review.reject_element(alice, Decide(draft_id=view.id, element=str(numbers["dgsi"])))
    with pytest.raises(Conflict):
        review.publish_draft(alice, DraftRef(draft_id=view.id))
    assert review.list_drafts(alice, ListDrafts()) == []
    assert [d.state for d in review.list_drafts(alice, ListDrafts(all=True))] == ["done"]

    with alice.database.read() as conn:
        actions = [r.action for r in conn.execute(audit_log.select()) if "intake" in r.action]
    assert actions[0] == "intake-draft-store"
    assert actions[-1] == "intake-draft-publish"
    assert {"intake-draft-accept", "intake-draft-reject", "intake-draft-correct"} <= set(actions)


def test_nothing_accepted_nothing_published(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    for element in view.elements[1:]:
        review.reject_element(alice, Decide(draft_id=view.id, element=element.stix_id))
    with pytest.raises(BadInput):
        review.publish_draft(alice, DraftRef(draft_id=view.id))


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
    view = review.store_draft(
        alice, StoreDraft(channel="fr-ru", bundle={**bundle, "objects": [*objects, fact]})
    )
    element = next(e for e in view.elements if e.kind == "fact")
    assert element.summary == "Karim Benali attributed-to État islamique"
    for other in view.elements[1:]:
        verb = "reject" if other.stix_id == suspect["id"] else "accept"
        decide(alice, view.id, other.number, verb)
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    assert done.left_out == [f"{fact['id']}: its source_ref {suspect['id']} was not accepted"]
    assert fact["id"] not in done.stored
    assert group["id"] in done.stored
