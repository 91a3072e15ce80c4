"""Dates as elements of the review: each date intake read is accepted, corrected (its
value) or rejected like the other elements, and only the dates reviewed are published in
the report."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput
from passerelle.intake import review
from passerelle.intake.review import Correct, DraftRef, StoreDraft
from passerelle.store.schema import intake_elements
from tests.exchange_support import ContextFor
from tests.intake.review import decide, review_all, seen_in_channel


def _dates(view: review.DraftView) -> list[review.Element]:
    return [e for e in view.elements if e.kind == "date"]


def test_a_date_is_an_element_to_review(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    [monday] = _dates(view)
    assert monday.state == "pending"
    assert monday.stix_id.startswith("x-passerelle-date--")
    assert monday.summary == "lundi = 2025-03-10"
    assert monday.object["start"] == 127
    assert monday.object["granularity"] == "day"
    # Named by its number or its id, the same each time the draft is read.
    shown = review.show_draft(alice, DraftRef(draft_id=view.id))
    assert [d.stix_id for d in _dates(shown)] == [monday.stix_id]
    assert view.pending == len(view.elements) - 1


def test_a_corrected_date_is_published_with_its_new_value(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    [monday] = _dates(view)
    corrected = review.correct_element(
        alice, Correct(draft_id=view.id, element=monday.stix_id, value="2025-03")
    )
    assert corrected.state == "corrected"
    assert (corrected.object["value"], corrected.object["granularity"]) == ("2025-03", "month")
    assert corrected.summary == "lundi = 2025-03"
    review_all(alice, view)
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    report = seen_in_channel(ctx("boris"), "fr-ru")[done.report_id]
    assert report["x_passerelle_dates"] == [
        {"start": 127, "end": 132, "text": "lundi", "value": "2025-03", "granularity": "month"}
    ]
    # The date is no object of its own.
    assert monday.stix_id not in seen_in_channel(ctx("boris"), "fr-ru")
    assert monday.stix_id not in done.stored


def test_a_rejected_date_is_not_published(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    [monday] = _dates(view)
    decide(alice, view.id, monday.number, "reject")
    review_all(alice, view)
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    assert "x_passerelle_dates" not in seen_in_channel(ctx("boris"), "fr-ru")[done.report_id]


def test_an_accepted_date_is_published_as_read(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    [monday] = _dates(view)
    decide(alice, view.id, monday.number, "accept")
    review_all(alice, view)
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    report = seen_in_channel(ctx("boris"), "fr-ru")[done.report_id]
    assert [d["value"] for d in report["x_passerelle_dates"]] == ["2025-03-10"]


@pytest.mark.parametrize(
    ("element", "change", "said"),
    [
        ("date", {"value": "10 mars"}, "not a date"),
        ("date", {"value": "2025-02-30"}, "not a date"),
        ("date", {"name": "Monday"}, "by its value alone"),
        ("date", {"value": "2025-03-10", "name": "Monday"}, "by its value alone"),
        ("entity", {"value": "2025-03-10"}, "only a date has a value"),
    ],
)
def test_a_wrong_date_correction_is_refused(
    ctx: ContextFor, bundle: dict[str, Any], element: str, change: dict[str, str], said: str
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    number = next(e.number for e in view.elements if e.kind == element)
    with pytest.raises(BadInput, match=said):
        review.correct_element(alice, Correct(draft_id=view.id, element=str(number), **change))


def test_a_draft_stored_before_dates_were_reviewed_says_it_leaves_them_out(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    with alice.database.write() as conn:  # as a draft stored by an earlier version was
        conn.execute(
            intake_elements.delete().where(
                intake_elements.c.draft_id == view.id, intake_elements.c.kind == "date"
            )
        )
    review_all(alice, review.show_draft(alice, DraftRef(draft_id=view.id)))
    done = review.publish_draft(alice, DraftRef(draft_id=view.id))
    assert "1 date(s): the draft was stored before dates were reviewed" in done.left_out
    assert "x_passerelle_dates" not in seen_in_channel(ctx("boris"), "fr-ru")[done.report_id]
