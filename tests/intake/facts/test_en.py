"""Facts in English articles (issue 6, item 6). Sentences written for these tests."""

from __future__ import annotations

import pytest

from passerelle.intake.facts import Fact, find_facts
from passerelle.intake.mentions import en as english
from passerelle.intake.model import Mention
from tests.intake.facts import named, only
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_en(text: str) -> tuple[list[Fact], list[Mention]]:
    doc = english.parse(text)
    mentions = english.extract(text, ALIASES, doc)
    return find_facts(doc, mentions), mentions


def test_en_active_sharing_of_intelligence() -> None:
    text = "The CIA passed information to the FSB about a bomb plot in Kazan."
    facts, mentions = read_en(text)
    fact = only(facts, "064")
    assert (named(mentions, fact.actor_index), named(mentions, fact.target_index)) == (
        "CIA",
        "FSB",
    )
    assert fact.object_text == "information"
    assert text[fact.start : fact.end] == "passed"
    assert fact.sentence == text
    assert not fact.passive
    assert not fact.negated


def test_en_passive_sharing_with_a_by_agent() -> None:
    text = "Intelligence provided by the CIA to the FSB helped the police."
    fact = only(read_en(text)[0], "064")
    assert (fact.actor_text, fact.target_text, fact.passive) == ("CIA", "FSB", True)


def test_en_arrests_active_passive_and_without_agent() -> None:
    facts, mentions = read_en(
        "The FSB arrested three men in Moscow. Two suspects were detained by the Federal "
        "Security Service in Kazan. Four people were arrested in Tver."
    )
    active, passive, bare = [f for f in facts if f.code == "173"]
    assert (named(mentions, active.actor_index), active.target_text) == ("FSB", "three men")
    assert named(mentions, passive.actor_index) == "Federal Security Service"
    assert (passive.target_text, passive.passive) == ("Two suspects", True)
    assert (bare.actor_index, bare.actor_text, bare.target_text) == (None, "", "Four people")


def test_en_nominal_arrest_and_negation() -> None:
    facts, mentions = read_en(
        "The arrest of Ivan Petrov by the FSB surprised his family. "
        "The FSB did not detain Oleg Sidorov."
    )
    nominal, negated = facts
    assert (named(mentions, nominal.actor_index), nominal.target_text) == ("FSB", "Ivan Petrov")
    assert negated.negated


def test_en_seizure_phone_call_thanks_and_plot() -> None:
    text = (
        "Police seized rifles and explosives from the Islamic State cell. "
        "Vladimir Putin spoke by phone with Donald Trump on Sunday. "
        "He thanked the CIA for the warning. "
        "The Islamic State militants plotted to bomb the Moscow metro."
    )
    facts, mentions = read_en(text)
    seizure = only(facts, "1711")
    assert seizure.object_text == "rifles and explosives"
    assert named(mentions, seizure.target_index) == "Islamic State"
    call = only(facts, "041")
    assert (named(mentions, call.actor_index), named(mentions, call.target_index)) == (
        "Vladimir Putin",
        "Donald Trump",
    )
    thanks = only(facts, "051")
    assert named(mentions, thanks.actor_index) == "Vladimir Putin"
    assert thanks.actor_inferred
    assert named(mentions, thanks.target_index) == "CIA"
    plot = only(facts, "183")
    assert plot.planned
    assert named(mentions, plot.actor_index) == "Islamic State"
    assert plot.target_text == "Moscow metro"
