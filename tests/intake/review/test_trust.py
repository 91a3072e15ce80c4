"""Review you can trust: every published element was reviewed (facts without an entity on
one side included), what a reviewer adds is published and referred to, and a republished
article is recognised (refused, or stored as an update that keeps the reviewed decisions)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from passerelle.errors import BadInput, Conflict
from passerelle.intake import review
from passerelle.intake.review import AddEntity, AddFact, Correct, DraftRef, ListDrafts, StoreDraft
from passerelle.store.schema import intake_drafts, intake_elements
from tests.exchange_support import ContextFor
from tests.intake.review import DGSI, decide, number_of, review_all, seen_in_channel


def _loose_facts(view: review.DraftView) -> list[review.Element]:
    return [e for e in view.elements if e.stix_id.startswith("x-passerelle-fact--")]


def _decide_all(ctx: Any, view: review.DraftView, verb: str = "reject") -> None:
    for element in review.show_draft(ctx, DraftRef(draft_id=view.id)).elements:
        if element.state == "pending":
            decide(ctx, view.id, element.number, verb)


def _published(ctx: ContextFor, view: review.DraftView) -> tuple[review.Published, dict[str, Any]]:
    done = review.publish_draft(ctx("alice"), DraftRef(draft_id=view.id))
    seen = seen_in_channel(ctx("boris"), "fr-ru")
    return done, seen


def _reviewed(view: review.DraftView) -> dict[str, review.Element]:
    """The elements decided (accepted or corrected), by the id they are published with."""
    return {
        str(e.object.get("id")): e
        for e in view.elements
        if e.state in ("accepted", "corrected") and e.kind != "report"
    }


def test_every_fact_is_an_element_and_only_reviewed_ones_are_published(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    facts = _loose_facts(view)
    assert len(facts) == len(bundle["objects"][0]["x_passerelle_facts"]) >= 2
    assert all(f.kind == "fact" and f.state == "pending" for f in facts)
    arrest = next(f for f in facts if f.object["verb"] == "interpeller")
    assert "interpeller" in arrest.summary
    review_all(alice, view)  # rejects every fact
    decide(alice, view.id, arrest.number, "accept")
    fixed = review.correct_element(
        alice,
        Correct(draft_id=view.id, element=str(facts[1].number), body={"verb": "préparer"}),
    )
    assert fixed.state == "corrected"
    assert fixed.object["verb"] == "préparer"
    done, seen = _published(ctx, view)
    entries = seen[done.report_id]["x_passerelle_facts"]
    assert sorted(e["verb"] for e in entries) == ["interpeller", "préparer"]
    assert all("id" not in e and "type" not in e for e in entries)


def test_a_rejected_fact_is_not_published_nor_any_unreviewed_one(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    review_all(alice, view)
    done, seen = _published(ctx, view)
    assert "x_passerelle_facts" not in seen[done.report_id]


def test_publishing_waits_for_facts_as_for_every_element(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    review_all(alice, view)
    [first, *_] = _loose_facts(view)
    with alice.database.write() as conn:
        conn.execute(
            intake_elements.update()
            .where(intake_elements.c.stix_id == first.stix_id)
            .values(state="pending")
        )
    with pytest.raises(Conflict, match="1 element"):
        review.publish_draft(alice, DraftRef(draft_id=view.id))


def test_a_fact_entry_refers_to_its_entity_as_corrected_or_not_at_all(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    draft = copy.deepcopy(bundle)
    report = draft["objects"][0]
    dgsi = next(o for o in draft["objects"] if o.get("name") == DGSI)
    suspect = next(o for o in draft["objects"] if o.get("name") == "Karim Benali")
    report["x_passerelle_facts"][0]["actor_ref"] = dgsi["id"]
    report["x_passerelle_facts"][1]["actor_ref"] = suspect["id"]
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=draft))
    review.correct_element(
        alice,
        Correct(draft_id=view.id, element=str(number_of(view, DGSI)), label="group"),
    )
    decide(alice, view.id, number_of(view, "Karim Benali"), "reject")
    for fact in _loose_facts(view):
        decide(alice, view.id, fact.number, "accept")
    _decide_all(alice, view)
    done, seen = _published(ctx, view)
    first, second = seen[done.report_id]["x_passerelle_facts"][:2]
    # The corrected entity's new id (its type followed its label), in the fact and the report.
    assert first["actor_ref"].startswith("intrusion-set--")
    assert first["actor_ref"] in seen
    assert first["actor_ref"] in seen[done.report_id]["object_refs"]
    assert "actor_ref" not in second  # a rejected entity is named by its text alone
    assert second["actor_text"] == report["x_passerelle_facts"][1]["actor_text"]


def test_a_draft_stored_before_facts_were_reviewed_says_it_leaves_them_out(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    with alice.database.write() as conn:  # as a draft stored by an earlier version was
        conn.execute(
            intake_elements.delete().where(
                intake_elements.c.draft_id == view.id,
                intake_elements.c.stix_id.like("x-passerelle-fact--%"),
            )
        )
    review_all(alice, review.show_draft(alice, DraftRef(draft_id=view.id)))
    done, seen = _published(ctx, view)
    facts = len(bundle["objects"][0]["x_passerelle_facts"])
    assert f"{facts} fact(s): the draft was stored before they were reviewed" in done.left_out
    assert "x_passerelle_facts" not in seen[done.report_id]


def test_every_published_element_was_reviewed(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    """The invariant: what the channel holds is the report and the elements decided, and
    the report's dates and facts are those decided."""
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    review_all(alice, view)
    for fact in _loose_facts(view)[:1]:
        decide(alice, view.id, fact.number, "accept")
    done, seen = _published(ctx, view)
    reviewed = _reviewed(done.draft)
    assert set(seen) - {done.report_id} <= set(reviewed)
    report = seen[done.report_id]
    assert set(report["object_refs"]) <= set(reviewed)
    kinds = {e.kind for e in reviewed.values()}
    assert len(report.get("x_passerelle_facts", [])) == sum(
        1 for i in reviewed if i.startswith("x-passerelle-fact--")
    )
    assert len(report.get("x_passerelle_dates", [])) == sum(
        1 for e in reviewed.values() if e.kind == "date"
    )
    assert "fact" in kinds


# A reviewer adds what intake missed -------------------------------------------------------


def test_an_added_entity_and_fact_are_published_and_referred_to(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    text = bundle["objects"][0]["x_passerelle_article_text"]
    start = text.index("une église")
    church = review.add_entity(
        alice,
        AddEntity(draft_id=view.id, name="église", label="location", start=start, end=start + 10),
    )
    assert church.state == "corrected"
    assert church.object["x_passerelle_mentions"] == [
        {"start": start, "end": start + 10, "text": "une église"}
    ]
    plain = review.add_entity(alice, AddEntity(draft_id=view.id, name="FSB", label="organization"))
    assert "x_passerelle_mentions" not in plain.object
    numbers = review_all(alice, view)
    plot = review.add_fact(
        alice,
        AddFact(
            draft_id=view.id,
            subject=str(numbers["suspect"]),
            object=str(church.number),
            kind="planned-attack-on",
            verb="préparer",
        ),
    )
    assert plot.state == "corrected"
    assert plot.summary == "Karim Benali planned-attack-on église"
    done, seen = _published(ctx, view)
    suspect = next(o for o in seen.values() if o.get("name") == "Karim Ben Ali")
    relationship = seen[plot.stix_id]
    # The fact follows the correction of its subject, and is in the report.
    assert relationship["source_ref"] == suspect["id"]
    assert relationship["target_ref"] == church.stix_id
    assert relationship["x_passerelle_verb"] == "préparer"
    assert {church.stix_id, plain.stix_id, plot.stix_id} <= set(seen[done.report_id]["object_refs"])


def test_an_added_fact_follows_a_relabelled_entity(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    numbers = review_all(alice, view)
    fact = review.add_fact(
        alice,
        AddFact(
            draft_id=view.id,
            subject=str(numbers["dgsi"]),
            object=str(numbers["suspect"]),
            kind="arrested",
        ),
    )
    review.correct_element(
        alice, Correct(draft_id=view.id, element=str(numbers["dgsi"]), label="group")
    )
    _, seen = _published(ctx, view)
    assert seen[fact.stix_id]["source_ref"].startswith("intrusion-set--")
    assert seen[fact.stix_id]["source_ref"] in seen


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"start": 5}, "both offsets"),
        ({"start": 5, "end": 100000}, "outside the article"),
        ({"start": 9, "end": 3}, "outside the article"),
        ({"name": "  "}, "a name of 1"),
    ],
)
def test_a_wrong_added_entity_is_refused(
    ctx: ContextFor, bundle: dict[str, Any], change: dict[str, Any], said: str
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    asked: dict[str, Any] = {"draft_id": view.id, "name": "FSB", "label": "organization"}
    with pytest.raises(BadInput, match=said):
        review.add_entity(alice, AddEntity(**(asked | change)))


def test_a_wrong_added_fact_is_refused(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    dgsi = str(number_of(view, DGSI))
    quote = str(number_of(view, "La menace reste", "quotation"))
    marseille = number_of(view, "Marseille")
    decide(alice, view.id, marseille, "reject")

    def add(subject: str, target: str) -> None:
        review.add_fact(
            alice, AddFact(draft_id=view.id, subject=subject, object=target, kind="arrested")
        )

    with pytest.raises(BadInput, match="is an entity"):
        add(dgsi, quote)
    with pytest.raises(BadInput, match="was rejected"):
        add(dgsi, str(marseille))
    with pytest.raises(BadInput, match="two different"):
        add(dgsi, dgsi)


def test_another_organisation_cannot_add_to_a_draft(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    from passerelle.errors import NotFound

    view = review.store_draft(ctx("alice"), StoreDraft(channel="fr-ru", bundle=bundle))
    boris = ctx("boris")
    with pytest.raises(NotFound):
        review.add_entity(boris, AddEntity(draft_id=view.id, name="X", label="person"))
    with pytest.raises(NotFound):
        review.add_fact(boris, AddFact(draft_id=view.id, subject="1", object="2", kind="phoned"))
    assert len(review.show_draft(ctx("alice"), DraftRef(draft_id=view.id)).elements) == len(
        view.elements
    )


# A republished article is recognised -----------------------------------------------------


def test_the_same_article_again_is_refused_saying_which_draft(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    spaced = copy.deepcopy(bundle)  # the same text, spaced and cased otherwise
    spaced["objects"][0]["x_passerelle_article_text"] = "  " + bundle["objects"][0][
        "x_passerelle_article_text"
    ].upper().replace(" ", "  ")
    for again in (bundle, spaced):
        with pytest.raises(Conflict, match=f"the same text.*draft {view.id}.*update"):
            review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=again))
    assert [d.id for d in review.list_drafts(alice, ListDrafts())] == [view.id]
    # Another organisation's draft of it is not theirs to know.
    assert review.store_draft(ctx("oscar"), StoreDraft(channel="private", bundle=bundle)).id


def test_the_same_source_url_is_recognised(ctx: ContextFor, bundle: dict[str, Any]) -> None:
    alice = ctx("alice")
    first = copy.deepcopy(bundle)
    first["objects"][0]["x_passerelle_source_url"] = "https://example.org/a"
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=first))
    edited = copy.deepcopy(first)
    edited["objects"][0]["x_passerelle_source_url"] = "https://example.org/a/"
    edited["objects"][0]["x_passerelle_article_text"] += "\nMis à jour."
    with pytest.raises(Conflict, match=f"the same source URL.*{view.id}"):
        review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=edited))


def test_an_update_keeps_the_reviewed_decisions_and_replaces_the_draft(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    numbers = review_all(alice, view)
    added = review.add_entity(alice, AddEntity(draft_id=view.id, name="FSB", label="organization"))
    before = review.show_draft(alice, DraftRef(draft_id=view.id))
    update = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle, update=True))
    assert update.replaces == view.id
    assert review.show_draft(alice, DraftRef(draft_id=view.id)).state == "replaced"
    assert [d.id for d in review.list_drafts(alice, ListDrafts())] == [update.id]
    with pytest.raises(Conflict, match="replaced by an update"):
        decide(alice, view.id, numbers["dgsi"], "reject")
    decided = {e.stix_id: (e.state, e.object) for e in before.elements}
    assert {e.stix_id: (e.state, e.object) for e in update.elements} == decided
    assert added.stix_id in {e.stix_id for e in update.elements}
    assert update.pending == 0


def test_an_update_of_a_published_article_is_a_new_version_of_its_report(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    review_all(alice, view)
    first, seen = _published(ctx, view)
    with pytest.raises(Conflict, match=f"published as report {first.report_id}"):
        review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    # The article edited: a sentence added (new elements arrive unreviewed).
    edited = copy.deepcopy(bundle)  # the same text (recognised by it), now with its URL
    edited["objects"][0]["x_passerelle_source_url"] = "https://example.org/a"
    update = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=edited, update=True))
    assert update.replaces == view.id
    assert update.elements[0].stix_id == first.draft.elements[0].stix_id
    kept = {e.stix_id: e.state for e in first.draft.elements}
    assert {e.stix_id: e.state for e in update.elements} == kept
    corrected = next(e for e in update.elements if e.state == "corrected")
    assert corrected.object["name"] == "Karim Ben Ali"
    review.correct_element(
        alice, Correct(draft_id=update.id, element=str(corrected.number), name="Karim Ben-Ali")
    )
    again = review.publish_draft(alice, DraftRef(draft_id=update.id))
    assert again.report_id == first.report_id
    now = seen_in_channel(ctx("boris"), "fr-ru")
    assert now[first.report_id]["modified"] > seen[first.report_id]["modified"]
    assert now[corrected.object["id"]]["name"] == "Karim Ben-Ali"
    assert set(now) == set(seen)  # new versions, no second copy


def test_an_edited_article_keeps_the_decisions_of_what_is_found_again(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    """The same source URL, another text (so other ids): each element found again by its
    kind and summary keeps its id and decision; a new one arrives pending."""
    from datetime import date

    from passerelle.intake.pipeline import draft_of
    from tests.intake.review import ARTICLE
    from tests.world import SHIPPED_ALIASES

    alice = ctx("alice")
    first = copy.deepcopy(bundle)
    first["objects"][0]["x_passerelle_source_url"] = "https://example.org/a"
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=first))
    review_all(alice, view)
    before = {
        e.summary: (e.stix_id, e.state)
        for e in review.show_draft(alice, DraftRef(draft_id=view.id)).elements
    }
    text = ARTICLE + "\nLe parquet national antiterroriste a été saisi à Paris.\n"
    made = draft_of(text, SHIPPED_ALIASES, lang="fr", published=date(2025, 3, 10)).bundle()
    made["objects"][0]["x_passerelle_source_url"] = "https://example.org/a"
    assert {o["id"] for o in made["objects"]}.isdisjoint(e[0] for e in before.values())
    update = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=made, update=True))
    after = {e.summary: (e.stix_id, e.state) for e in update.elements}
    for needle in (DGSI, "Karim Ben Ali", "La menace reste"):
        summary = next(s for s in before if needle in s)
        assert after[summary] == before[summary]
    new = [state for summary, (_, state) in after.items() if summary not in before]
    assert new
    assert set(new) == {"pending"}
    with alice.database.read() as conn:
        rows = conn.execute(intake_drafts.select()).all()
    assert {r.state for r in rows} == {"replaced", "open"}


def test_drafts_of_one_article_stored_twice_before_are_flagged(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    first = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    where = intake_drafts.c.id == first.id
    with alice.database.write() as conn:  # as a draft stored before articles were recognised
        fingerprint = conn.execute(intake_drafts.select().where(where)).one().fingerprint
        conn.execute(intake_drafts.update().where(where).values(fingerprint=None))
    second = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    with alice.database.write() as conn:  # the migration computes the first's
        conn.execute(intake_drafts.update().where(where).values(fingerprint=fingerprint))
    listed = {d.id: d.same_article for d in review.list_drafts(alice, ListDrafts())}
    assert listed == {first.id: [second.id], second.id: [first.id]}
    assert review.show_draft(alice, DraftRef(draft_id=first.id)).same_article == [second.id]
    assert review.list_drafts(ctx("boris"), ListDrafts()) == []


def test_an_update_is_for_the_channel_of_the_draft_it_updates(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    with pytest.raises(BadInput, match=f"draft {view.id} of this article is for another"):
        review.store_draft(alice, StoreDraft(channel="dropbox", bundle=bundle, update=True))
    assert review.show_draft(alice, DraftRef(draft_id=view.id)).state == "open"


def test_a_correction_naming_what_is_no_longer_found_is_decided_again(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    """A quotation whose speaker was corrected to an entity the new text no longer names:
    its decision is not carried over (it would refer to nothing); the rest is."""
    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    numbers = review_all(alice, view)
    quote = review.correct_element(
        alice,
        Correct(draft_id=view.id, element=str(numbers["quote"]), name=DGSI),
    )
    dgsi = next(e for e in view.elements if e.number == numbers["dgsi"])
    assert quote.object["x_passerelle_speaker_ref"] == dgsi.stix_id
    edited = copy.deepcopy(bundle)
    edited["objects"] = [  # DGSI no longer named, nor any fact about it
        o
        for o in edited["objects"]
        if o.get("name") != DGSI and dgsi.stix_id not in (o.get("source_ref"), o.get("target_ref"))
    ]
    report = edited["objects"][0]
    report["object_refs"] = [r for r in report["object_refs"] if r != dgsi.stix_id]
    update = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=edited, update=True))
    states = {e.stix_id: e.state for e in update.elements}
    assert states[quote.stix_id] == "pending"
    suspect = next(e for e in view.elements if e.number == numbers["suspect"])
    assert states[suspect.stix_id] == "corrected"
    assert dgsi.stix_id not in states


def test_the_migration_fingerprints_the_drafts_stored_before(
    ctx: ContextFor, bundle: dict[str, Any]
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, select

    from passerelle.intake.review.recognition import fingerprint
    from passerelle.store.migrate import alembic_config

    alice = ctx("alice")
    view = review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
    url = alice.database.engine.url.render_as_string(hide_password=False)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    command.downgrade(alembic_config(engine), "0020_search")  # drafts without fingerprints
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        found = conn.execute(
            select(intake_drafts.c.fingerprint).where(intake_drafts.c.id == view.id)
        ).scalar()
    engine.dispose()
    assert found == fingerprint(bundle["objects"][0])
    with pytest.raises(Conflict, match=view.id):
        review.store_draft(alice, StoreDraft(channel="fr-ru", bundle=bundle))
