"""Deciding on elements: corrections of a label and of the whole object."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput, NotFound
from passerelle.intake import review
from passerelle.intake.review import Correct, Decide, DraftRef, StoreDraft
from tests.exchange_support import ContextFor
from tests.intake.review import (
    number_of,
    seen_in_channel,
)


def test_corrections_of_label_and_object(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="community", bundle=bundle))
    telegram = number_of(view, "Telegram")
    relabelled = review.correct_element(
        alice, Correct(draft_id=view.id, element=str(telegram), label="organization")
    )
    assert relabelled.object["type"] == "identity"
    assert relabelled.object["id"].split("--")[1] == relabelled.stix_id.split("--")[1]
    group = next(e for e in view.elements if "islamique" in e.summary)
    body = {**group.object, "aliases": ["EI", "Daech"]}
    fixed = review.correct_element(
        alice, Correct(draft_id=view.id, element=group.stix_id, body=body)
    )
    assert fixed.object["aliases"] == ["EI", "Daech"]
    assert fixed.entity_id == group.entity_id
    with pytest.raises(BadInput):  # not STIX
        review.correct_element(
            alice,
            Correct(
                draft_id=view.id, element=str(telegram), body={"type": "identity"} | {"name": 3}
            ),
        )
    with pytest.raises(BadInput):  # the report is published in any case
        review.reject_element(alice, Decide(draft_id=view.id, element="0"))
    with pytest.raises(NotFound):
        review.accept_element(alice, Decide(draft_id=view.id, element="999"))
    for element in review.show_draft(alice, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            review.reject_element(alice, Decide(draft_id=view.id, element=str(element.number)))
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    seen = seen_in_channel(ctx("carla"), "community")
    assert relabelled.object["id"] in seen
    assert relabelled.stix_id not in seen
    assert seen[done.report_id]["object_refs"].count(relabelled.object["id"]) == 1
