"""Storing drafts: a draft is its organisation's alone, stored only where one may write."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.intake import review
from passerelle.intake.review import Correct, Decide, DraftRef, ListDrafts, StoreDraft
from passerelle.policy import directory
from passerelle.policy.roles import Role
from tests.exchange_support import ContextFor, FakeClock, contexts
from tests.intake.review import (
    ARTICLE,
)
from tests.world import World


def test_drafts_are_their_organisation_s_alone(
    world: World, clock: FakeClock, bundle: dict[str, Any]
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    ctx = contexts(world, clock)
    view = review.store_draft(ctx("alice"), StoreDraft(channel="fr-ru", bundle=bundle))
    first = str(view.elements[1].number)
    for other in ("boris", "oscar"):
        assert review.list_drafts(ctx(other), ListDrafts(all=True)) == []
        for attempt in (
            lambda c: review.show_draft(c, DraftRef(draft_id=view.id)),
            lambda c: review.accept_element(c, Decide(draft_id=view.id, element=first)),
            lambda c: review.reject_element(c, Decide(draft_id=view.id, element=first)),
            lambda c: review.correct_element(c, Correct(draft_id=view.id, element=first, name="X")),
            lambda c: review.publish_draft(c, DraftRef(draft_id=view.id)),
        ):
            with pytest.raises(NotFound) as refused:
                attempt(ctx(other))
            # Exactly what an unknown id answers.
            assert str(refused.value) == f"no draft {view.id!r}"
    for attempt in (
        lambda c: review.list_drafts(c, ListDrafts()),
        lambda c: review.show_draft(c, DraftRef(draft_id=view.id)),
        lambda c: review.store_draft(c, StoreDraft(channel="fr-ru", bundle=bundle)),
    ):
        with pytest.raises(Forbidden):
            attempt(ctx("audrey"))


def test_storing_needs_the_right_to_write(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):  # an analyst may not share into a partner channel
        review.store_draft(ctx("alain"), StoreDraft(channel="fr-ru", bundle=bundle))
    with pytest.raises(Forbidden):  # cert only reads the community channel
        review.store_draft(ctx("carla"), StoreDraft(channel="community", bundle=bundle))
    with pytest.raises(NotFound):  # not a member
        review.store_draft(ctx("oscar"), StoreDraft(channel="fr-ru", bundle=bundle))
    with pytest.raises(BadInput):
        review.store_draft(
            ctx("alice"), StoreDraft(channel="fr-ru", bundle={"type": "bundle", "objects": []})
        )
    first = review.store_draft(ctx("oscar"), StoreDraft(channel="private", bundle=bundle))
    # The node reads the article itself when given its text; the same article again is
    # recognised, and stored only as an update.
    asked = {"channel": "private", "text": ARTICLE, "lang": "fr", "published": "2025-03-10"}
    with pytest.raises(Conflict, match=f"stored as draft {first.id}"):
        review.store_draft(ctx("oscar"), StoreDraft(**asked))
    read = review.store_draft(ctx("oscar"), StoreDraft(**asked, update=True))
    assert read.replaces == first.id
    assert read.published == "2025-03-10"
    assert any("Karim Benali" in e.summary for e in read.elements)
    with pytest.raises(BadInput):  # one of the two
        review.store_draft(ctx("oscar"), StoreDraft(channel="private"))
