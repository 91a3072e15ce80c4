"""Correcting who said a quotation: every reference of the quotation follows the speaker
(the draft's entity of that name, or a new entity element), to the published bundle."""

from __future__ import annotations

from typing import Any

import pytest

from passerelle.errors import BadInput
from passerelle.intake import review
from passerelle.intake.review import Correct, DraftRef, StoreDraft
from tests.exchange_support import ContextFor
from tests.intake.review import DGSI, decide, number_of, seen_in_channel


def _stored(ctx: ContextFor, bundle: dict[str, Any]) -> tuple[review.DraftView, int]:
    view = review.store_draft(ctx("alice"), StoreDraft(channel="fr-ru", bundle=bundle))
    return view, number_of(view, "La menace reste", "quotation")


def _said_by(ctx: ContextFor, view: review.DraftView, quote: int, name: str, **more: Any) -> Any:
    request = Correct(draft_id=view.id, element=str(quote), name=name, **more)
    return review.correct_element(ctx("alice"), request)


def _publish(ctx: ContextFor, view: review.DraftView, accept: list[int]) -> Any:
    """Accept the elements numbered ``accept``, reject every other pending one, publish."""
    alice = ctx("alice")
    for number in accept:
        decide(alice, view.id, number, "accept")
    for element in review.show_draft(alice, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            decide(alice, view.id, element.number, "reject")
    return review.publish_draft(alice, DraftRef(draft_id=view.id))


def test_speaker_corrected_to_another_person_of_the_draft(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    view, quote = _stored(ctx, bundle)
    by_number = {e.number: e for e in view.elements}
    minister = by_number[number_of(view, "Laurent Morel")].stix_id
    suspect = by_number[number_of(view, "Karim Benali")].stix_id
    report = view.elements[0].stix_id
    assert by_number[quote].object["x_passerelle_speaker_ref"] == minister

    fixed = _said_by(ctx, view, quote, "  karim   BENALI ")
    assert fixed.state == "corrected"
    assert fixed.object["x_passerelle_speaker"] == "karim BENALI"
    assert fixed.object["x_passerelle_speaker_kind"] == "person"
    assert fixed.object["x_passerelle_speaker_ref"] == suspect
    assert fixed.object["object_refs"] == [report, suspect]
    assert len(review.show_draft(ctx("alice"), DraftRef(draft_id=view.id)).elements) == len(
        view.elements
    )

    # Both persons published: the quotation refers to the suspect alone.
    done = _publish(ctx, view, [number_of(view, "Laurent Morel"), number_of(view, "Benali")])
    seen = seen_in_channel(ctx("boris"), "fr-ru")
    note = seen[by_number[quote].stix_id]
    assert note["x_passerelle_speaker_ref"] == suspect
    assert note["object_refs"] == [done.report_id, suspect]
    assert {minister, suspect} <= set(seen)
    assert minister not in str(note)


def test_speaker_corrected_to_an_organisation(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    view, quote = _stored(ctx, bundle)
    dgsi = number_of(view, DGSI)
    fixed = _said_by(ctx, view, quote, DGSI.upper())
    dgsi_id = next(e.stix_id for e in view.elements if e.number == dgsi)
    assert fixed.object["x_passerelle_speaker_kind"] == "organization"
    assert fixed.object["x_passerelle_speaker_ref"] == dgsi_id
    assert fixed.object["object_refs"][-1] == dgsi_id
    assert "Laurent Morel" not in fixed.summary
    done = _publish(ctx, view, [dgsi])
    note = seen_in_channel(ctx("boris"), "fr-ru")[fixed.stix_id]
    assert note["x_passerelle_speaker_kind"] == "organization"
    assert note["object_refs"] == [done.report_id, dgsi_id]
    assert done.left_out == []


def test_speaker_not_in_the_draft_is_added_as_a_corrected_entity(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    view, quote = _stored(ctx, bundle)
    fixed = _said_by(ctx, view, quote, "Parquet national antiterroriste", label="organization")
    added = fixed.object["x_passerelle_speaker_ref"]
    assert added.startswith("identity--")
    shown = review.show_draft(ctx("alice"), DraftRef(draft_id=view.id))
    assert len(shown.elements) == len(view.elements) + 1
    new = shown.elements[-1]
    assert (new.stix_id, new.kind, new.state) == (added, "entity", "corrected")
    assert new.decided_by == "alice"
    assert new.object["identity_class"] == "organization"
    assert new.object["name"] == "Parquet national antiterroriste"
    assert new.object["object_marking_refs"] == fixed.object["object_marking_refs"]
    assert fixed.object["x_passerelle_speaker_kind"] == "organization"
    # Corrected again to a person of no entity: another element, and the first one is no
    # longer the speaker (the reviewer may reject it).
    again = _said_by(ctx, view, quote, "Jeanne Roux")
    person = again.object["x_passerelle_speaker_ref"]
    assert person != added
    assert again.object["x_passerelle_speaker_kind"] == "person"
    assert added not in again.object["object_refs"]
    assert again.object["object_refs"] == [view.elements[0].stix_id, person]
    decide(ctx("alice"), view.id, new.number, "reject")

    done = _publish(ctx, view, [])
    seen = seen_in_channel(ctx("boris"), "fr-ru")
    assert seen[person]["name"] == "Jeanne Roux"
    assert seen[person]["identity_class"] == "individual"
    assert added not in seen
    assert seen[fixed.stix_id]["object_refs"] == [done.report_id, person]
    assert person in seen[done.report_id]["object_refs"]


def test_speaker_corrections_refused(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    view, quote = _stored(ctx, bundle)
    with pytest.raises(BadInput, match="a speaker is"):  # a place does not speak
        _said_by(ctx, view, quote, "Marseille")
    with pytest.raises(BadInput, match="a speaker is"):
        _said_by(ctx, view, quote, "Nouvelle voix", label="platform")
    decide(ctx("alice"), view.id, number_of(view, "Benali"), "reject")
    with pytest.raises(BadInput, match="was rejected"):
        _said_by(ctx, view, quote, "Karim Benali")
    with pytest.raises(BadInput, match="give its name"):
        review.correct_element(
            ctx("alice"), Correct(draft_id=view.id, element=str(quote), label="person")
        )
    shown = review.show_draft(ctx("alice"), DraftRef(draft_id=view.id))
    assert len(shown.elements) == len(view.elements)
    assert next(e for e in shown.elements if e.number == quote).state == "pending"


def test_a_corrected_speaker_entity_is_followed_by_its_quotations(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    view, quote = _stored(ctx, bundle)
    alice = ctx("alice")
    minister = number_of(view, "Laurent Morel")
    review.correct_element(
        alice, Correct(draft_id=view.id, element=str(minister), name="Laurent Moreau")
    )
    _publish(ctx, view, [quote])
    note = seen_in_channel(ctx("boris"), "fr-ru")[view.elements[quote].stix_id]
    assert note["x_passerelle_speaker"] == "Laurent Moreau"
    assert note["x_passerelle_speaker_ref"] == view.elements[minister].stix_id


def test_a_speaker_relabelled_after_the_quotation_is_followed(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    view, quote = _stored(ctx, bundle)
    alice = ctx("alice")
    _said_by(ctx, view, quote, "Karim Benali")
    suspect = number_of(view, "Karim Benali")
    review.correct_element(
        alice, Correct(draft_id=view.id, element=str(suspect), label="organization")
    )
    _publish(ctx, view, [])
    note = seen_in_channel(ctx("boris"), "fr-ru")[view.elements[quote].stix_id]
    assert note["x_passerelle_speaker_kind"] == "organization"
    assert note["x_passerelle_speaker"] == "Karim Benali"
