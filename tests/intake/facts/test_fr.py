"""Facts in French articles: who did what to whom, coded with CAMEO (issue 6, item 6).
Sentences written for these tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from passerelle.intake.bundle import Draft
from passerelle.intake.facts import Fact, find_facts
from passerelle.intake.mentions import fr as french
from passerelle.intake.model import Article, Mention
from passerelle.stix.validation import validate_object
from tests.intake.facts import named, only
from tests.world import SHIPPED_ALIASES as ALIASES


@pytest.fixture(scope="module")
def read() -> Any:
    french.pipeline()  # the model, once for the module

    def run(text: str) -> tuple[list[Fact], list[Mention]]:
        doc = french.parse(text)
        mentions = french.extract(text, ALIASES, doc)
        return find_facts(doc, mentions), mentions

    return run


def test_active_sharing_of_intelligence(read: Any) -> None:
    text = "La CIA a transmis au FSB des informations sur un projet d'attentat à Kazan."
    facts, mentions = read(text)
    fact = only(facts, "064")
    assert fact.label == "share intelligence"
    assert named(mentions, fact.actor_index) == "CIA"
    assert named(mentions, fact.target_index) == "FSB"
    assert fact.object_text.startswith("informations sur un projet")
    assert text[fact.start : fact.end] == "transmis"
    assert fact.sentence == text
    assert (fact.sentence_start, fact.sentence_end) == (0, len(text))
    assert not fact.passive
    assert not fact.negated


def test_passive_participle_gives_the_agent_as_actor(read: Any) -> None:
    text = "Selon Moscou, l'information livrée au FSB par la CIA a permis d'éviter un drame."
    facts, mentions = read(text)
    fact = only(facts, "064")
    assert (named(mentions, fact.actor_index), named(mentions, fact.target_index)) == (
        "CIA",
        "FSB",
    )
    assert fact.passive
    assert fact.verb == "livrer"
    assert fact.object_text == "l'information"


def test_sharing_other_things_is_not_intelligence(read: Any) -> None:
    facts, _ = read("La France a fourni des armes à l'Ukraine.")
    assert [f for f in facts if f.code == "064"] == []


def test_negated_sharing_is_marked(read: Any) -> None:
    facts, mentions = read("La DGSI n'a pas transmis ces renseignements au FSB.")
    fact = only(facts, "064")
    assert fact.negated
    assert named(mentions, fact.actor_index) == "DGSI"


def test_arrest_with_a_count(read: Any) -> None:
    facts, mentions = read("Le FSB a interpellé sept personnes à Moscou.")
    fact = only(facts, "173")
    assert named(mentions, fact.actor_index) == "FSB"
    assert fact.target_text == "sept personnes"
    assert fact.target_index is None


def test_passive_arrest_and_nominalisation(read: Any) -> None:
    facts, mentions = read("Sept personnes ont été arrêtées par le FSB.")
    fact = only(facts, "173")
    assert fact.passive
    assert named(mentions, fact.actor_index) == "FSB"
    assert fact.target_text == "Sept personnes"
    facts, mentions = read("L'arrestation de sept personnes par le FSB a été annoncée mardi.")
    fact = only(facts, "173")  # and no "make statement": a better code is there
    assert len(facts) == 1
    assert named(mentions, fact.actor_index) == "FSB"
    assert fact.target_text == "sept personnes"
    assert fact.verb == "arrestation"


def test_arrest_of_two_named_people_gives_two_facts(read: Any) -> None:
    facts, mentions = read("Le FSB a arrêté Ivan Petrov et Oleg Sidorov.")
    assert sorted(named(mentions, f.target_index) or "" for f in facts) == [
        "Ivan Petrov",
        "Oleg Sidorov",
    ]


def test_seizure(read: Any) -> None:
    facts, _ = read("Les enquêteurs ont saisi des explosifs et des armes automatiques.")
    fact = only(facts, "1711")
    assert fact.actor_text == "Les enquêteurs"
    assert fact.object_text == "des explosifs et des armes automatiques"
    facts, _ = read("La saisie d'explosifs a eu lieu à Kazan.")
    assert only(facts, "1711").object_text == "explosifs"
    facts, _ = read("Les avocats ont saisi la justice.")
    assert facts == []


def test_telephone_call(read: Any) -> None:
    text = "Vladimir Poutine s'est entretenu par téléphone avec Donald Trump."
    facts, mentions = read(text)
    fact = only(facts, "041")
    assert named(mentions, fact.actor_index) == "Vladimir Poutine"
    assert named(mentions, fact.target_index) == "Donald Trump"
    assert text[fact.start : fact.end] == "entretenu par téléphone"


def test_thanks_with_a_pronoun_subject(read: Any) -> None:
    facts, mentions = read(
        "Vladimir Poutine s'est entretenu par téléphone avec Donald Trump. "
        "Il a remercié le président américain pour son aide."
    )
    fact = only(facts, "051")
    assert fact.actor_text == "Il"
    assert fact.actor_inferred
    assert named(mentions, fact.actor_index) == "Vladimir Poutine"
    assert fact.target_text == "le président américain"
    assert fact.sentence.startswith("Il a remercié")


def test_planned_attack(read: Any) -> None:
    facts, _ = read("Les suspects préparaient un attentat contre la cathédrale.")
    fact = only(facts, "180")
    assert fact.planned
    assert (fact.actor_text, fact.target_text) == ("Les suspects", "la cathédrale")
    facts, _ = read("Les terroristes voulaient faire exploser une bombe devant la gare.")
    fact = only(facts, "183")
    assert fact.planned
    assert fact.actor_text == "Les terroristes"


def test_statement_only_from_a_named_party(read: Any) -> None:
    facts, mentions = read("Le Kremlin a déclaré que la coopération continuerait.")
    fact = only(facts, "010")
    assert named(mentions, fact.actor_index) == "Kremlin"
    facts, _ = read("On a déclaré que la coopération continuerait.")
    assert facts == []


def test_draft_turns_facts_into_relationships(read: Any) -> None:
    text = (
        "Moscou : la CIA a aidé le FSB\n\n"
        "La CIA a transmis au FSB des informations sur un projet d'attentat. "
        "Le FSB a interpellé sept personnes. "
        "La DGSI n'a pas transmis ces renseignements au FSB."
    )
    facts, mentions = read(text)
    draft = Draft(Article(text, published=date(2025, 3, 11)), mentions, facts=facts)
    objects = draft.bundle()["objects"]
    for obj in objects:
        assert validate_object(obj) is None, obj
    report = objects[0]
    by_id = {o["id"]: o for o in objects}
    (shared,) = [o for o in objects if o["type"] == "relationship"]
    assert shared["relationship_type"] == "shared-intelligence-with"
    assert by_id[shared["source_ref"]]["name"] == "CIA"
    assert by_id[shared["target_ref"]]["name"] == "FSB"
    assert shared["x_passerelle_cameo"] == "064"
    assert shared["x_passerelle_passive"] is False
    start, end = shared["x_passerelle_start"], shared["x_passerelle_end"]
    assert text[start:end] == "transmis"
    assert shared["x_passerelle_sentence"].startswith("La CIA a transmis")
    assert shared["id"] in report["object_refs"]
    loose = {(f["code"], f["negated"]) for f in report["x_passerelle_facts"]}
    assert loose == {("173", False), ("064", True)}  # no entity target / negated
    arrest = next(f for f in report["x_passerelle_facts"] if f["code"] == "173")
    assert arrest["target_text"] == "sept personnes"
    assert by_id[arrest["actor_ref"]]["name"] == "FSB"
    summary = draft.summary()
    assert "Facts (3):" in summary
    assert "064 share intelligence: CIA -> FSB" in summary


def test_word_sets_leave_the_lemmas_as_the_model_lists_give_them(read: Any) -> None:
    """The lemmatizer's known-word lists are read as sets (speed): every lemma is the one
    the model's own lists give, for nouns, verbs, adjectives and adverbs, known or new."""
    text = (
        "Les policiers ont interpellé sept suspects soupçonnés de préparer des attentats "
        "contre la cathédrale ; les enquêteurs ont saisi des explosifs artisanaux et "
        "transmis rapidement les renseignements recueillis aux services partenaires, "
        "qui ont remercié les cyberpatrouilleurs."
    )
    doc = french.parse(text)
    lemmatizer = french.lemmatizer()
    index = lemmatizer.lookups.get_table("lemma_index")
    keys = list(index.keys())
    assert all(isinstance(index[k], frozenset) for k in keys)

    def lemmas() -> list[list[str]]:
        lemmatizer.cache.clear()
        return [lemmatizer.rule_lemmatize(t) for t in doc]

    with_sets = lemmas()
    try:
        for key in keys:
            index[key] = sorted(index[key])  # the model's lists
        with_lists = lemmas()
    finally:
        for key in keys:
            index[key] = frozenset(index[key])
        lemmatizer.cache.clear()
    assert with_sets == with_lists
    assert ["interpeller"] in with_sets
    assert ["saisir"] in with_sets
